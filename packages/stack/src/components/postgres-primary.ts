import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pgQuery } from '../probes';
import type { StackComponent } from './component';
import { launchPostgres, preparePostgresDirs } from './postgres';
import { APP_DATABASE, HOST, pgUrl, port, REPLICA_SLOT, requireBinary, runOnce } from './support';

const POSTGRES_SETTINGS = `
# added by pnpm stack (native mode): what the Compose primary runs with
listen_addresses = '${HOST}'
shared_preload_libraries = 'pg_stat_statements'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
# the replica's slot keeps the WAL it has not received, up to this much (a replica gone for good
# must not fill the disk; past it, the replica has to be cloned again)
max_slot_wal_keep_size = 2GB
hot_standby = on
track_io_timing = on
`;

export const postgresPrimary: StackComponent = {
  name: 'postgres-primary',
  description: 'PostgreSQL primary (data kept in the state dir)',
  compose: {
    port: 5432,
    environment: [
      'POSTGRES_PASSWORD',
      'POSTGRES_DB',
      'REELWATCH_DB_PASSWORD',
      'POSTGRES_REPLICATION_PASSWORD',
      'POSTGRES_EXPORTER_PASSWORD',
    ],
    healthcheck: true,
  },
  nativePort: 15432,
  docs: { label: 'PostgreSQL primary', native: '15432 (clear of a system PostgreSQL)' },
  binaries: [
    { binary: 'initdb', debianPackage: 'postgresql' },
    { binary: 'postgres', debianPackage: 'postgresql' },
  ],
  stopSignal: 'SIGINT',
  prepare(s) {
    const { dir, data } = preparePostgresDirs(s, 'postgres-primary');
    if (existsSync(path.join(data, 'PG_VERSION'))) return;
    // trust on 127.0.0.1 only: a local development database, never reachable from elsewhere
    runOnce(
      s,
      requireBinary(s, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'],
      dir,
    );
    writeFileSync(path.join(data, 'postgresql.conf'), POSTGRES_SETTINGS, { flag: 'a' });
  },
  launch: (s) => launchPostgres(s, 'postgres-primary'),
  async health(s) {
    await pgQuery(pgUrl(port(s, 'postgres-primary'), 'postgres'), 'SELECT 1');
  },
  async ready(s) {
    const admin = pgUrl(port(s, 'postgres-primary'), 'postgres');
    const rows = await pgQuery<{ n: number }>(
      admin,
      `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${APP_DATABASE}'`,
    );
    if (rows[0]?.n === 0) await pgQuery(admin, `CREATE DATABASE ${APP_DATABASE}`);
    await pgQuery(pgUrl(port(s, 'postgres-primary')), 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // as the Compose primary's init does: the replica streams from slot `replica`, so WAL it has
    // not received yet (stopped or hung under load) is kept instead of recycled; reserved at once
    await pgQuery(
      admin,
      `SELECT pg_create_physical_replication_slot('${REPLICA_SLOT}', true)
        WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '${REPLICA_SLOT}')`,
    );
  },
  urls: (s) => [{ name: 'postgres-primary', url: pgUrl(port(s, 'postgres-primary')) }],
};
