import { existsSync } from 'node:fs';
import path from 'node:path';
import { pgQuery } from '../probes';
import type { StackComponent } from './component';
import { launchPostgres, preparePostgresDirs } from './postgres';
import { HOST, pgUrl, port, REPLICA_SLOT, requireBinary, runOnce } from './support';

export const postgresReplica: StackComponent = {
  name: 'postgres-replica',
  description: 'PostgreSQL streaming replica (pg_basebackup -R of the primary)',
  compose: {
    port: 5432,
    environment: ['PRIMARY_HOST', 'POSTGRES_MAX_CONNECTIONS', 'POSTGRES_REPLICATION_PASSWORD'],
    healthcheck: true,
  },
  nativePort: 15433,
  docs: { label: 'PostgreSQL replica', native: '15433 (clear of a system PostgreSQL)' },
  binaries: [
    { binary: 'pg_basebackup', debianPackage: 'postgresql' },
    { binary: 'postgres', debianPackage: 'postgresql' },
  ],
  stopSignal: 'SIGINT',
  prepare(s) {
    const { dir, data } = preparePostgresDirs(s, 'postgres-replica');
    if (existsSync(path.join(data, 'PG_VERSION'))) return;
    runOnce(
      s,
      requireBinary(s, 'pg_basebackup'),
      [
        '-h',
        HOST,
        '-p',
        String(port(s, 'postgres-primary')),
        '-U',
        'postgres',
        '-D',
        data,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
      ],
      dir,
    );
  },
  launch: (s) =>
    launchPostgres(s, 'postgres-replica', [
      // on the command line, so the replica follows the primary even when the ports change
      '-c',
      `primary_conninfo=host=${HOST} port=${port(s, 'postgres-primary')} user=postgres application_name=postgres-replica`,
      '-c',
      `primary_slot_name=${REPLICA_SLOT}`,
    ]),
  async health(s) {
    const rows = await pgQuery<{ status: string }>(
      pgUrl(port(s, 'postgres-replica'), 'postgres'),
      'SELECT status FROM pg_stat_wal_receiver',
    );
    if (rows[0]?.status !== 'streaming')
      throw new Error(`replica is not streaming (${rows[0]?.status ?? 'no WAL receiver'})`);
  },
  urls: (s) => [{ name: 'postgres-replica', url: pgUrl(port(s, 'postgres-replica')) }],
};
