import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBinary, type PostgresCluster, startPostgres } from '@reelwatch/testkit';

const root = path.resolve(__dirname, '../../..');
const initDir = path.join(root, 'compose', 'postgres', 'primary-init');

function run(bin: string, args: string[], env: Record<string, string>): string {
  const result = spawnSync(bin, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0)
    throw new Error(`${path.basename(bin)} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

// The Compose primary's init scripts (compose/postgres/primary-init), run the way the postgres
// image's entrypoint runs them, against a real throwaway server.
describe('compose/postgres/primary-init', () => {
  let cluster: PostgresCluster;
  let database: string;
  let env: Record<string, string>;
  const cloneDir = path.join(os.tmpdir(), `reelwatch-replica-clone-${process.pid}`);

  beforeAll(async () => {
    cluster = await startPostgres({ replica: false });
    database = await cluster.createDatabase();
    const { primary } = cluster;
    env = {
      PGHOST: primary.host,
      PGPORT: String(primary.port),
      PGDATA: primary.dataDir,
      PGUSER: primary.user,
      POSTGRES_USER: primary.user,
      POSTGRES_DB: database,
      REELWATCH_DB_PASSWORD: 'app-secret',
      POSTGRES_REPLICATION_PASSWORD: 'replication-secret',
      POSTGRES_EXPORTER_PASSWORD: 'exporter-secret',
    };
    const psql = findBinary('psql', 'postgresql-client');
    run('bash', [path.join(initDir, '01-roles.sh')], {
      ...env,
      PATH: `${path.dirname(psql)}:${process.env.PATH ?? ''}`,
    });
    run(
      psql,
      ['-v', 'ON_ERROR_STOP=1', '-d', database, '-f', path.join(initDir, '02-pg-stat-statements.sql')],
      env,
    );
    await primary.query('SELECT pg_reload_conf()');
  });
  afterAll(async () => {
    rmSync(cloneDir, { recursive: true, force: true });
    await cluster?.destroy();
  });

  test('creates the app owner, a replication role and an exporter role with pg_monitor only', async () => {
    const roles = await cluster.primary.query<{
      rolname: string;
      rolreplication: boolean;
      rolsuper: boolean;
      rolconnlimit: number;
    }>(
      "SELECT rolname, rolreplication, rolsuper, rolconnlimit FROM pg_roles WHERE rolname IN ('reelwatch', 'replicator', 'reelwatch_exporter') ORDER BY rolname",
    );
    expect(roles).toEqual([
      { rolname: 'reelwatch', rolreplication: false, rolsuper: false, rolconnlimit: -1 },
      { rolname: 'reelwatch_exporter', rolreplication: false, rolsuper: false, rolconnlimit: 5 },
      { rolname: 'replicator', rolreplication: true, rolsuper: false, rolconnlimit: -1 },
    ]);
    const monitor = await cluster.primary.query<{ member: boolean }>(
      "SELECT pg_has_role('reelwatch_exporter', 'pg_monitor', 'MEMBER') AS member",
    );
    expect(monitor).toEqual([{ member: true }]);
    const owner = await cluster.primary.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [database],
    );
    expect(owner).toEqual([{ owner: 'reelwatch' }]);
  });

  test('installs pg_stat_statements in the app database and a physical slot for the replica', async () => {
    const ext = await cluster.primary.query(
      'SELECT extname FROM pg_extension WHERE extname = $1',
      ['pg_stat_statements'],
      database,
    );
    expect(ext).toEqual([{ extname: 'pg_stat_statements' }]);
    const slots = await cluster.primary.query('SELECT slot_name, slot_type FROM pg_replication_slots');
    expect(slots).toEqual([{ slot_name: 'replica', slot_type: 'physical' }]);
    expect(readFileSync(path.join(cluster.primary.dataDir, 'pg_hba.conf'), 'utf8')).toMatch(
      /^host replication replicator all scram-sha-256$/m,
    );
  });

  test("the replica entry point's pg_basebackup clones the primary as replicator through the slot", () => {
    const entrypoint = readFileSync(path.join(root, 'compose', 'postgres', 'replica-entrypoint.sh'), 'utf8');
    expect(entrypoint).toMatch(
      /pg_basebackup -h "\$PRIMARY_HOST" -U replicator -D "\$PGDATA" \\\n\s+--checkpoint=fast -X stream -S replica -R/,
    );
    const basebackup = findBinary('pg_basebackup', 'postgresql');
    run(
      basebackup,
      [
        '-h',
        cluster.primary.host,
        '-p',
        String(cluster.primary.port),
        '-U',
        'replicator',
        '-D',
        cloneDir,
        '--checkpoint=fast',
        '-X',
        'stream',
        '-S',
        'replica',
        '-R',
      ],
      {
        PGPASSWORD: 'replication-secret',
      },
    );
    expect(readFileSync(path.join(cloneDir, 'postgresql.auto.conf'), 'utf8')).toMatch(
      /primary_slot_name = 'replica'/,
    );
    expect(readFileSync(path.join(cloneDir, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
  });
});
