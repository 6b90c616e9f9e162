import {
  createLogger,
  createMetricsRegistry,
  type RunningHttpServer,
  startHttpServer,
} from '@reelwatch/service-kit';
import { Counter } from 'prom-client';
import { type PrometheusServer, startPrometheus, withGlobalIntervals } from '../src/prometheus';
import { type ResourceSnapshot, remainingLeaks, snapshotResources } from '../src/resources';

/** A service-kit HTTP server (the one every Reelwatch service runs) exposing one counter. */
async function startMetricsEndpoint(): Promise<RunningHttpServer> {
  const registry = createMetricsRegistry({ service: 'testkit-demo' });
  const counter = new Counter({
    name: 'testkit_demo_requests_total',
    help: 'Requests the demo endpoint counted',
    registers: [registry],
  });
  counter.inc(42);
  return startHttpServer({
    service: 'testkit-demo',
    host: '127.0.0.1',
    port: 0,
    registry,
    logger: createLogger({ service: 'testkit-demo', level: 'silent' }),
  });
}

describe('startPrometheus', () => {
  let before: ResourceSnapshot;
  let endpoint: RunningHttpServer | undefined;
  let prometheus: PrometheusServer | undefined;

  beforeAll(async () => {
    before = snapshotResources();
    endpoint = await startMetricsEndpoint();
    prometheus = await startPrometheus({
      scrapeIntervalSec: 1,
      config: [
        'global:',
        '  scrape_interval: 1m',
        'rule_files:',
        '  - rules/demo.yml',
        'scrape_configs:',
        '  - job_name: demo',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${endpoint.port}']`,
        '',
      ].join('\n'),
      files: {
        'rules/demo.yml': [
          'groups:',
          '  - name: demo',
          '    rules:',
          '      - record: job:testkit_demo_requests:sum',
          '        expr: sum by (job) (testkit_demo_requests_total)',
          '',
        ].join('\n'),
      },
    });
  });

  afterAll(async () => {
    await prometheus?.destroy();
    await endpoint?.close();
    expect(await remainingLeaks(before)).toEqual([]);
  });

  test('Prometheus scrapes a service-kit server and a query returns its metric', async () => {
    await prometheus!.waitForTargets({ job: 'demo', timeoutMs: 20_000 });
    const result = await prometheus!.query('testkit_demo_requests_total');
    expect(result).toEqual([
      {
        metric: expect.objectContaining({
          __name__: 'testkit_demo_requests_total',
          job: 'demo',
          service: 'testkit-demo',
        }),
        value: [expect.any(Number), '42'],
      },
    ]);
  });

  test('a range query returns samples, and a rules file written beside the config is evaluated', async () => {
    await prometheus!.waitForTargets({ job: 'demo', timeoutMs: 20_000 });
    const now = Date.now() / 1000;
    const series = await prometheus!.queryRange('up{job="demo"}', now - 60, now, 1);
    expect(series).toHaveLength(1);
    expect(series[0]!.values.length).toBeGreaterThan(0);
    expect(series[0]!.values.every(([, value]) => value === '1')).toBe(true);
    const rules = await fetch(`${prometheus!.url}/api/v1/rules`).then((r) => r.json());
    expect(JSON.stringify(rules)).toContain('job:testkit_demo_requests:sum');
  });

  test('a bad query fails with Prometheus’ own error message', async () => {
    await expect(prometheus!.query('sum(')).rejects.toThrow(/bad_data: .*parse error/);
  });

  test('waitForTargets names a target that never comes up', async () => {
    await expect(prometheus!.waitForTargets({ job: 'no-such-job', timeoutMs: 500 })).rejects.toThrow(
      /job no-such-job's targets to be up; targets: no such targets/,
    );
  });
});

describe('withGlobalIntervals', () => {
  test('replaces existing intervals under global', () => {
    const config = 'global:\n  scrape_interval: 15s\n  external_labels:\n    a: b\nscrape_configs: []\n';
    const rewritten = withGlobalIntervals(config, 1);
    expect(rewritten).toContain('  scrape_interval: 1s\n');
    expect(rewritten).toContain('  evaluation_interval: 1s\n');
    expect(rewritten).toContain('  external_labels:\n    a: b\n');
    expect(rewritten).not.toContain('15s');
  });

  test('adds a global block when the config has none', () => {
    expect(withGlobalIntervals('scrape_configs: []\n', 2)).toBe(
      'global:\n  scrape_interval: 2s\n  evaluation_interval: 2s\nscrape_configs: []\n',
    );
  });
});
