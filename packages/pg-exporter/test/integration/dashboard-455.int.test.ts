import { readFileSync } from 'node:fs';
import {
  type PostgresCluster,
  type PrometheusServer,
  startPostgres,
  startPrometheus,
  waitFor,
} from '@reelwatch/testkit';
import pg from 'pg';
import type { RunningPgExporter } from '../../src/app';
import { fixturePath } from '../fixtures';
import { startTestExporter } from '../helpers';

interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: Array<{ expr?: string }>;
}

function panelQueries(dashboard: {
  panels?: Panel[];
  rows?: Panel[];
}): Array<{ title: string; expr: string }> {
  const out: Array<{ title: string; expr: string }> = [];
  const walk = (panels: Panel[] = []) => {
    for (const p of panels) {
      walk(p.panels);
      for (const t of p.targets ?? []) if (t.expr) out.push({ title: p.title ?? '?', expr: t.expr });
    }
  };
  walk(dashboard.panels);
  walk(dashboard.rows);
  return out;
}

describe('community dashboard 455 (Postgres Overview) through a real Prometheus scraping this exporter', () => {
  let cluster: PostgresCluster;
  let exporter: RunningPgExporter;
  let prometheus: PrometheusServer;
  let db: string;
  let traffic: pg.Client | undefined;
  let stopTraffic = false;
  let trafficDone: Promise<void> = Promise.resolve();

  const dashboard = JSON.parse(
    readFileSync(fixturePath('community-dashboards', 'postgres-overview-455.json'), 'utf8'),
  );
  const queries = panelQueries(dashboard);

  beforeAll(async () => {
    cluster = await startPostgres();
    db = await cluster.createDatabase();
    await cluster.primary.query('CREATE TABLE events (id serial PRIMARY KEY, v int)', [], db);
    exporter = await startTestExporter({
      DATA_SOURCE_NAME: `${cluster.primary.url('postgres')},${cluster.replica.url('postgres')}`,
    });
    prometheus = await startPrometheus({
      scrapeIntervalSec: 1,
      config: `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: pg-exporter
    static_configs:
      - targets: ['127.0.0.1:${exporter.server.port}']
`,
    });
    // steady traffic: commits, rollbacks and every kind of row operation
    traffic = new pg.Client({ connectionString: cluster.primary.url(db) });
    await traffic.connect();
    const client = traffic;
    trafficDone = (async () => {
      while (!stopTraffic) {
        await client.query('INSERT INTO events (v) SELECT g FROM generate_series(1, 20) g');
        await client.query('UPDATE events SET v = v + 1 WHERE id % 7 = 0');
        await client.query('DELETE FROM events WHERE id % 11 = 0');
        await client.query('SELECT count(*) FROM events WHERE v > 3');
        await client.query('BEGIN');
        await client.query('INSERT INTO events (v) VALUES (1)');
        await client.query('ROLLBACK');
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await prometheus.waitForTargets({ job: 'pg-exporter', timeoutMs: 30_000 });
  });

  afterAll(async () => {
    stopTraffic = true;
    await trafficDone.catch(() => undefined);
    await traffic?.end().catch(() => undefined);
    await prometheus?.destroy();
    await exporter?.close();
    await cluster?.destroy();
  });

  /** The dashboard's template variables as Grafana would fill them: All for job and instance, our database. */
  function substitute(expr: string): string {
    return expr
      .replace(/\$__rate_interval/g, '10s')
      .replace(/\$__interval/g, '10s')
      .replace(/\$job/g, '.+')
      .replace(/\$instance/g, '.+')
      .replace(/\$db/g, db);
  }

  it('finds the panel queries in the fixture', () => {
    expect(queries.length).toBeGreaterThanOrEqual(10);
  });

  it('fills the template variables (job, instance, db) from the exported series', async () => {
    const jobs = await prometheus.query('pg_up');
    expect(jobs.map((r) => r.metric.job)).toContain('pg-exporter');
    const dbs = await waitFor(
      async () => {
        const r = await prometheus.query(
          'pg_stat_database_tup_fetched{job=~".+",instance=~".+",datname!~"template.*|postgres"}',
        );
        return r.some((x) => x.metric.datname === db) ? r : undefined;
      },
      { timeoutMs: 30_000, what: `datname ${db} in pg_stat_database_tup_fetched` },
    );
    expect(dbs.length).toBeGreaterThan(0);
  });

  it('returns data for every panel query', async () => {
    const empty: string[] = [];
    for (const { title, expr } of queries) {
      const promql = substitute(expr);
      const result = await waitFor(
        async () => {
          const r = await prometheus.query(promql);
          return r.some((x) => Number.isFinite(Number(x.value[1]))) ? r : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 1000, what: `panel "${title}": ${promql}` },
      ).catch(() => undefined);
      if (!result) empty.push(`${title}: ${promql}`);
    }
    expect(empty).toEqual([]);
  });
});
