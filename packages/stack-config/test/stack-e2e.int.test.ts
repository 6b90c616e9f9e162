import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listPanelQueries, substituteVariables } from '@reelwatch/dashboards';
import {
  APP_DATABASE,
  COMPONENTS,
  type NativeSettings,
  nativeSettings,
  type Runtime,
  rewritePrometheusConfig,
  type StackComponent,
} from '@reelwatch/stack';
import {
  allPanels,
  interpolatePromValue,
  loadDashboards,
  loadRules,
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

// End to end, natively: the topology of @reelwatch/stack's component list on local servers
// (testkit), the real built services under generated traffic, the real Prometheus with
// prometheus/prometheus.yml (targets rewritten to local ports) and its rules; then every query of
// every provisioned dashboard panel must return data, and every recording and alerting expression
// must evaluate.
const paths = stackPaths(path.resolve(__dirname, '../../..'));
const entry = (c: StackComponent) => path.join(paths.root, 'packages', c.packageDir ?? '', 'dist', 'main.js');
/** The repo's packages the list runs: the HTTP services (with a port), then the jobs. */
const built = COMPONENTS.filter((c) => c.packageDir !== undefined);
const httpServices = built.filter((c) => c.nativePort !== undefined);
const component = (name: string) => {
  const c = COMPONENTS.find((x) => x.name === name);
  if (!c) throw new Error(`no component ${name} in @reelwatch/stack's list`);
  return c;
};

/**
 * This test's tweaks on top of each component's own environment: quieter logs, more traffic (some
 * of it malformed). A component not listed here runs with exactly its declared environment.
 */
const OVERRIDES: Record<string, Record<string, string>> = {
  ingestion: { INGESTION_LOG_LEVEL: 'warn' },
  'event-producer': { PRODUCER_RATE: '200', PRODUCER_MALFORMED_RATIO: '0.02', PRODUCER_LOG_LEVEL: 'warn' },
  'task-worker': { TASK_WORKER_LOG_LEVEL: 'warn' },
  'task-monitor': { TASK_MONITOR_LOG_LEVEL: 'warn' },
};

/**
 * A component's environment as `pnpm stack up` gives it natively (its declaration's `env`), with
 * `settings`/`runtime` pointing at this test's servers, and this test's overrides on top. A
 * component needing a server this test does not run has no port for it: the test stops there.
 */
function componentEnv(c: StackComponent, settings: NativeSettings, runtime: Runtime): Record<string, string> {
  let env: Record<string, string> | undefined;
  try {
    env = c.launch(settings, runtime)?.env;
  } catch (err) {
    throw new Error(
      `the component list has ${c.name}, which this test cannot start: ${(err as Error).message}`,
    );
  }
  if (!env)
    throw new Error(`the component list has ${c.name}, which this test cannot start: it runs nothing`);
  return { ...env, ...OVERRIDES[c.name] };
}

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
    const missing = built.map(entry).filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`build first (pnpm build): missing ${missing.join(', ')}`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'reelwatch-e2e-'));
    [pg, kafka, redis, pushgateway, alertmanager] = await Promise.all([
      startPostgres({ replica: true }),
      startKafka(),
      startRedis(),
      startPushgateway(),
      startAlertmanager(),
    ]);
    // The components' fixed names (database, topic, consumer group, key prefix) are the stack's;
    // here they live in this test's own throwaway servers.
    const db = await pg.createDatabase(APP_DATABASE);
    // where each component listens here (Prometheus scrapes itself on a port testkit picks)
    const ports: Record<string, number> = {
      'postgres-primary': pg.primary.port,
      'postgres-replica': pg.replica.port,
      redis: redis.port,
      pushgateway: pushgateway.port,
      alertmanager: alertmanager.port,
    };
    for (const c of httpServices) ports[c.name] = await freePort();
    // the native mode's settings and runtime, on this test's servers (only those: no defaults)
    const settings: NativeSettings = {
      ...nativeSettings({
        root: paths.root,
        stateDir: path.join(tmp, 'stack'),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        portBase: undefined,
      }),
      ports,
    };
    const runtime: Runtime = { kafkaBrokers: kafka.brokers.join(','), skipped: {} };
    const started: Record<string, ServiceProcess> = {};
    for (const c of httpServices) {
      const env = componentEnv(c, settings, runtime);
      const svc = await startService({ entry: entry(c), port: ports[c.name] ?? 0, env, timeoutMs: 60_000 });
      services.push(svc);
      started[c.name] = svc;
    }
    const monitor = started['task-monitor'];
    if (!monitor) throw new Error('no task-monitor in the component list');

    const targets = Object.fromEntries(
      COMPONENTS.filter((c) => c.scraped && c.name !== 'prometheus').map((c) => {
        const port = ports[c.name];
        if (port === undefined) throw new Error(`the test has no server for the scraped component ${c.name}`);
        return [c.name, [`127.0.0.1:${port}`]];
      }),
    );
    const config = rewritePrometheusConfig(readFileSync(paths.prometheusConfig, 'utf8'), {
      targets,
      alertmanager: `127.0.0.1:${alertmanager.port}`,
    });
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
    const snapshot = spawnSync(process.execPath, [entry(component('training-snapshot'))], {
      env: componentEnv(component('training-snapshot'), settings, runtime),
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
