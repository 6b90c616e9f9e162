import { spawnSync } from 'node:child_process';
import { loadMigrations } from '../src/migrations';
import { INGESTION_ENTRY } from './support/pipeline';
import { useServers } from './support/servers';

const servers = useServers({ kafka: false, built: true });

function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [INGESTION_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

test('the migrate command applies the schema and exits 0; a second run applies nothing', async () => {
  const { postgres } = servers;
  const database = await postgres.createDatabase();
  const env = { DATABASE_URL: postgres.primary.url(database), INGESTION_LOG_LEVEL: 'info' };
  const first = run(['migrate'], env);
  expect(first.status).toBe(0);
  expect(first.stdout).toContain('migrations applied');
  const second = run(['migrate'], env);
  expect(second.status).toBe(0);
  expect(second.stdout).toContain('schema up to date');
  const rows = await postgres.primary.query(
    'SELECT version FROM schema_migrations ORDER BY version',
    [],
    database,
  );
  expect(rows.map((r) => r.version)).toEqual(loadMigrations().map((m) => m.version));
});

test('a bad configuration stops ingestion with exit code 78 naming every problem', () => {
  const result = run([], { INGESTION_HTTP_PORT: 'abc', INGESTION_RETRY_MAX_MS: '-1', INGESTION_PROT: '1' });
  expect(result.status).toBe(78);
  expect(result.stderr).toContain('INGESTION_HTTP_PORT');
  expect(result.stderr).toContain('INGESTION_RETRY_MAX_MS');
  expect(result.stderr).toContain('INGESTION_PROT');
});
