import { type PostgresCluster, startPostgres } from '@reelwatch/testkit';
import pg from 'pg';
import type { RunningPgExporter } from '../../src/app';
import { fixturePath } from '../fixtures';
import { scrapeParsed, startTestExporter } from '../helpers';
import { UPSTREAM_FILES, type UpstreamQueriesFile } from '../upstream-files';

const QUERY_FILES = UPSTREAM_FILES.filter((r): r is UpstreamQueriesFile => r.kind === 'queries');
// families every scrape has whatever the queries file says
const OWN = /^(pg_up|pg_scrape_collector_|pg_exporter_|pg_static)/;

describe('upstream’s queries files emit upstream’s families against real PostgreSQL', () => {
  let cluster: PostgresCluster;
  let idle: pg.Client;

  beforeAll(async () => {
    cluster = await startPostgres({ replica: false });
    const admin = new pg.Client({ connectionString: cluster.primary.url('postgres') });
    await admin.connect();
    // a user table with a TOAST table, so no pg_statio_user_tables column is NULL
    await admin.query('CREATE TABLE upstream_files_t (id int PRIMARY KEY, body text)');
    await admin.query("INSERT INTO upstream_files_t VALUES (1, 'x')");
    await admin.end();
    // an idle client for queries-2023.yaml's pg_process_idle
    idle = new pg.Client({
      connectionString: cluster.primary.url('postgres'),
      application_name: 'upstream-files',
    });
    await idle.connect();
    await idle.query('SELECT 1');
  });

  afterAll(async () => {
    await idle?.end();
    await cluster?.destroy();
  });

  for (const row of QUERY_FILES) {
    it(`${row.file}: loads, and a scrape emits ${row.emitted.length} of its ${row.families.length} families`, async () => {
      let exporter: RunningPgExporter | undefined;
      try {
        exporter = await startTestExporter({
          DATA_SOURCE_NAME: cluster.primary.url('postgres'),
          PG_EXPORTER_EXTEND_QUERY_PATH: fixturePath('postgres_exporter', 'files', row.file),
          PG_EXPORTER_DISABLE_DEFAULT_METRICS: 'true',
        });
        const s = await scrapeParsed(`${exporter.server.url}/metrics`);
        expect(s.series('pg_exporter_user_queries_load_error').map((x) => x.value)).toEqual([0]);
        const emitted = [...s.families.keys()].filter((n) => /^(pg|random)_/.test(n) && !OWN.test(n));
        expect(emitted.sort()).toEqual([...row.emitted].sort());
        for (const f of row.families.filter((x) => row.emitted.includes(x.name))) {
          expect([f.name, s.type(f.name)]).toEqual([f.name, f.type]);
          const labels = s.labelNames().get(f.name) ?? [];
          expect([f.name, labels.filter((l) => l !== 'server' && l !== 'le')]).toEqual([
            f.name,
            [...f.labels].sort(),
          ]);
        }
        expect(Object.keys(row.notEmitted).sort()).toEqual(
          row.families
            .map((f) => f.name)
            .filter((n) => !row.emitted.includes(n))
            .sort(),
        );
      } finally {
        await exporter?.close();
      }
    });
  }

  it('user_queries_test.yaml: random_histogram has the query’s buckets, sum and count', async () => {
    const exporter = await startTestExporter({
      DATA_SOURCE_NAME: cluster.primary.url('postgres'),
      PG_EXPORTER_EXTEND_QUERY_PATH: fixturePath('postgres_exporter', 'files', 'user_queries_test.yaml'),
      PG_EXPORTER_DISABLE_DEFAULT_METRICS: 'true',
    });
    try {
      const s = await scrapeParsed(`${exporter.server.url}/metrics`);
      const buckets = s.series('random_histogram_bucket').map((x) => [x.labels.le, x.value]);
      expect(buckets.map(([le]) => le)).toEqual(['1', '2', '4', '8', '+Inf']);
      // 100 draws of floor(random()*10): cumulative, and +Inf is the count
      const counts = buckets.map(([, v]) => v as number);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(s.value('random_histogram_count')).toBe(100);
      expect(counts.at(-1)).toBe(100);
      expect(s.value('random_histogram_sum')).toBeGreaterThanOrEqual(0);
    } finally {
      await exporter.close();
    }
  });
});
