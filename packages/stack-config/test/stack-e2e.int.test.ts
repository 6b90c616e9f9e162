import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listPanelQueries, substituteVariables } from '@reelwatch/dashboards';
import {
  allPanels,
  interpolatePromValue,
  loadDashboards,
  loadRules,
  rewriteScrapeTargets,
  runPromVariableQuery,
  stackPaths,
  variableQueryText,
} from '@reelwatch/stack-config';
import {
  type AlertmanagerServer,
  freePort,
  type KafkaCluster,
  type PostgresCluster,
  type PrometheusServer,
  type PushgatewayServer,
  type RedisServer,
  type ServiceProcess,
  startAlertmanager,
  startKafka,
  startPostgres,
  startPrometheus,
  startPushgateway,
  startRedis,
  startService,
  waitFor,
} from '@reelwatch/testkit';

// End to end, natively: the Compose topology on local servers (testkit), the real built services
// under generated traffic, the real Prometheus with prometheus/prometheus.yml (targets rewritten
// to local ports) and its rules; then every query of every provisioned dashboard panel must return
// data, and every recording and alerting expression must evaluate.
const paths = stackPaths(path.resolve(__dirname, '../../..'));
const entry = (pkg: string) => path.join(paths.root, 'packages', pkg, 'dist', 'main.js');
const unique = `e2e${process.pid}${Date.now().toString(36)}`;

describe('the stack end to end', () => {
  let pg: PostgresCluster;
  let kafka: KafkaCluster;
  let redis: RedisServer;
  let pushgateway: PushgatewayServer;
  let alertmanager: AlertmanagerServer;
  let prometheus: PrometheusServer;
  const services: ServiceProcess[] = [];
  let tmp: string;

  beforeAll(async () => {
    const missing = [
      'event-producer',
      'ingestion',
      'pg-exporter',
      'task-queue',
      'task-monitor',
      'training-snapshot',
    ]
      .map(entry)
      .filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`build first (pnpm build): missing ${missing.join(', ')}`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'reelwatch-e2e-'));
    [pg, kafka, redis, pushgateway, alertmanager] = await Promise.all([
      startPostgres({ replica: true }),
      startKafka(),
      startRedis(),
      startPushgateway(),
      startAlertmanager(),
    ]);
    const db = await pg.createDatabase();
    const primaryUrl = pg.primary.url(db);
    const replicaUrl = pg.replica.url(db);
    const brokers = kafka.brokers.join(',');
    const topic = `movie-events-${unique}`;
    const ports = {
      producer: await freePort(),
      ingestion: await freePort(),
      exporter: await freePort(),
      worker: await freePort(),
      monitor: await freePort(),
    };
    const start = async (pkg: string, port: number, env: Record<string, string>) => {
      const svc = await startService({ entry: entry(pkg), port, env, timeoutMs: 60_000 });
      services.push(svc);
      return svc;
    };
    await start('ingestion', ports.ingestion, {
      KAFKA_BROKERS: brokers,
      INGESTION_TOPIC: topic,
      INGESTION_GROUP_ID: `ingestion-${unique}`,
      DATABASE_URL: primaryUrl,
      INGESTION_HTTP_HOST: '127.0.0.1',
      INGESTION_HTTP_PORT: String(ports.ingestion),
      INGESTION_LOG_LEVEL: 'warn',
    });
    await start('event-producer', ports.producer, {
      KAFKA_BROKERS: brokers,
      PRODUCER_TOPIC: topic,
      PRODUCER_RATE: '200',
      PRODUCER_MALFORMED_RATIO: '0.02',
      PRODUCER_HTTP_HOST: '127.0.0.1',
      PRODUCER_HTTP_PORT: String(ports.producer),
      PRODUCER_LOG_LEVEL: 'warn',
    });
    await start('pg-exporter', ports.exporter, {
      DATA_SOURCE_NAME: `${primaryUrl}?sslmode=disable,${replicaUrl}?sslmode=disable`,
      PG_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${ports.exporter}`,
    });
    const keyPrefix = `tasks-${unique}`;
    await start('task-queue', ports.worker, {
      TASK_WORKER_REDIS_URL: redis.url,
      TASK_WORKER_KEY_PREFIX: keyPrefix,
      TASK_WORKER_REPLICA_URL: replicaUrl,
      TASK_WORKER_EXPORT_DIR: path.join(tmp, 'exports'),
      TASK_WORKER_METRICS_HOST: '127.0.0.1',
      TASK_WORKER_METRICS_PORT: String(ports.worker),
      TASK_WORKER_LOG_LEVEL: 'warn',
    });
    const monitor = await start('task-monitor', ports.monitor, {
      TASK_MONITOR_REDIS_URL: redis.url,
      TASK_MONITOR_KEY_PREFIX: keyPrefix,
      TASK_MONITOR_HOST: '127.0.0.1',
      TASK_MONITOR_PORT: String(ports.monitor),
      TASK_MONITOR_LOG_LEVEL: 'warn',
    });

    const config = rewriteScrapeTargets(
      readFileSync(paths.prometheusConfig, 'utf8'),
      {
        // The `prometheus` job scrapes Prometheus itself, whose port testkit picks: left out.
        alertmanager: [`127.0.0.1:${alertmanager.port}`],
        pushgateway: [`127.0.0.1:${pushgateway.port}`],
        'event-producer': [`127.0.0.1:${ports.producer}`],
        ingestion: [`127.0.0.1:${ports.ingestion}`],
        'pg-exporter': [`127.0.0.1:${ports.exporter}`],
        'task-monitor': [`127.0.0.1:${ports.monitor}`],
        'task-worker': [`127.0.0.1:${ports.worker}`],
      },
      { alertmanager: `127.0.0.1:${alertmanager.port}` },
    );
    const files = Object.fromEntries(
      readdirSync(paths.rulesDir).map((f) => [
        `rules/${f}`,
        readFileSync(path.join(paths.rulesDir, f), 'utf8'),
      ]),
    );
    prometheus = await startPrometheus({ config, files, scrapeIntervalSec: 1 });
    await prometheus.waitForTargets({ timeoutMs: 60_000 });

    // Traffic for the task queue: tasks through task-monitor's Flower API.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${monitor.url}/api/task/async-apply/noop`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ args: [{}] }),
      });
      if (!res.ok) throw new Error(`async-apply answered ${res.status}: ${await res.text()}`);
    }
    // The training snapshot once ingestion has created and filled its tables.
    await waitFor(
      async () => {
        const rows = await pg.replica.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'users'",
          [],
          db,
        );
        return Number(rows[0]?.n) === 1;
      },
      { timeoutMs: 60_000, what: "ingestion's tables on the replica" },
    );
    const snapshot = spawnSync(process.execPath, [entry('training-snapshot')], {
      env: {
        PATH: process.env.PATH ?? '',
        TRAINING_SNAPSHOT_DATABASE_URL: replicaUrl,
        TRAINING_SNAPSHOT_OUTPUT_DIR: path.join(tmp, 'snapshots'),
        TRAINING_SNAPSHOT_PUSHGATEWAY_URL: pushgateway.url,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (snapshot.status !== 0)
      throw new Error(`training-snapshot exited ${snapshot.status}: ${snapshot.stdout}${snapshot.stderr}`);
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    await Promise.allSettled([
      prometheus?.destroy(),
      alertmanager?.destroy(),
      pushgateway?.destroy(),
      redis?.destroy(),
      kafka?.destroy(),
      pg?.destroy(),
    ]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  test('every query of every dashboard panel returns data', async () => {
    const queries = listPanelQueries();
    const key = (q: (typeof queries)[number]) => `${q.dashboardTitle} / ${q.panelTitle} / ${q.refId}`;
    let empty: string[] = [];
    try {
      await waitFor(
        async () => {
          empty = [];
          for (const q of queries) {
            const result = await prometheus.query(substituteVariables(q.expr));
            if (result.length === 0) empty.push(key(q));
          }
          return empty.length === 0;
        },
        { timeoutMs: 120_000, intervalMs: 3_000, what: 'data for every panel query' },
      );
    } catch {
      // fall through: the count below names what is missing
    }
    const panels = new Set(queries.map((q) => `${q.dashboardTitle} / ${q.panelTitle}`));
    const emptyPanels = new Set(empty.map((k) => k.slice(0, k.lastIndexOf(' / '))));
    console.log(`panels with data: ${panels.size - emptyPanels.size}/${panels.size}`);
    expect(empty).toEqual([]);
  }, 180_000);

  test('every template variable query returns values, and panel queries filled with those values return data', async () => {
    // As Grafana runs them: each query variable of each provisioned dashboard, in order, through
    // the Prometheus API call Grafana's Prometheus datasource makes for it (label_values(...) ->
    // /api/v1/label/<l>/values, ...), over the dashboards' default range (last hour), earlier
    // variables substituted. Then every panel query that uses a variable, with each variable set
    // to all the values it returned, escaped as Grafana puts them in a query: (a|b|c) with regex
    // characters escaped. (The test above covers Grafana's default "All", which sends `.+`.)
    const dashboards = loadDashboards(path.join(paths.grafanaDir, 'dashboards'));
    let problems: string[] = [];
    let variables = 0;
    let filled = 0;
    try {
      await waitFor(
        async () => {
          problems = [];
          variables = 0;
          filled = 0;
          const end = Math.floor(Date.now() / 1000);
          for (const { file, dashboard } of dashboards) {
            const selected: Record<string, string> = {};
            for (const v of (dashboard.templating?.list ?? []).filter((x) => x.type === 'query')) {
              variables++;
              const query = substituteVariables(variableQueryText(v), selected, { range: '1h' });
              const values = await runPromVariableQuery(prometheus.url, query, {
                start: end - 3600,
                end,
                ...(v.regex ? { regex: v.regex } : {}),
              });
              if (values.length === 0) problems.push(`${file} $${v.name}: ${query} returned no values`);
              else selected[v.name] = interpolatePromValue(values, v);
            }
            for (const panel of allPanels(dashboard))
              for (const t of panel.targets ?? []) {
                const expr = t.expr ?? '';
                if (!Object.keys(selected).some((name) => new RegExp(`\\$\\{?${name}\\b`).test(expr)))
                  continue;
                filled++;
                const result = await prometheus.query(substituteVariables(expr, selected));
                if (result.length === 0)
                  problems.push(`${file} / ${panel.title} / ${t.refId}: no data with real values`);
              }
          }
          return problems.length === 0;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 3_000,
          what: 'values for every variable and data for every filled panel query',
        },
      );
    } catch {
      // fall through: the list below names what is missing
    }
    console.log(`variables with values: ${variables}; panel queries with real values: ${filled}`);
    expect(problems).toEqual([]);
    expect(variables).toBeGreaterThanOrEqual(6);
    expect(filled).toBeGreaterThan(30);
  }, 120_000);

  test('every recording and alerting rule expression evaluates without error', async () => {
    const rules = loadRules(paths.rulesDir);
    const failures: string[] = [];
    for (const rule of rules) {
      try {
        await prometheus.query(rule.expr);
      } catch (err) {
        failures.push(`${rule.name}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    const health = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const unhealthy = health.data.groups.flatMap((g) => g.rules).filter((r) => r.health === 'err');
    expect(unhealthy.map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    expect(health.data.groups.flatMap((g) => g.rules)).toHaveLength(rules.length);
  });
});
