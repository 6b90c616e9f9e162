import { readFileSync } from 'node:fs';
import { Counter, Gauge, register as globalRegistry, Histogram } from 'prom-client';
import { createMetricsRegistry, negotiateFormat, renderMetrics } from '../src';
import { sharedFixture } from './helpers';

/** Every metric name the dashboard's panels and variables query. */
function dashboardMetricNames(file: string): string[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const queries: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'expr' || key === 'query' || key === 'definition') && typeof value === 'string')
          queries.push(value);
        else walk(value);
      }
    }
  };
  walk(dashboard);
  const names = new Set<string>();
  for (const query of queries) {
    for (const match of query.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)) names.add(match[1]!);
    for (const match of query.matchAll(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

/** Every family (`# TYPE`) and sample name in a Prometheus text exposition. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^(?:# TYPE )?([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

describe('createMetricsRegistry', () => {
  test('exposes every metric the Node.js community dashboard 11159 queries', async () => {
    const wanted = dashboardMetricNames(sharedFixture('community-dashboards/nodejs-application-11159.json'));
    expect(wanted.length).toBeGreaterThanOrEqual(14);
    expect(wanted).toContain('nodejs_heap_size_used_bytes');
    const registry = createMetricsRegistry({ service: 'dash' });
    const exposed = exposedNames(await registry.metrics());
    expect(wanted.filter((name) => !exposed.has(name))).toEqual([]);
  });

  test("has prom-client's default metrics under their usual names, labelled with the service", async () => {
    const registry = createMetricsRegistry({
      service: 'ingestion',
      labels: { env: 'test', service: 'ignored' },
    });
    const text = await registry.metrics();
    for (const name of [
      'process_cpu_seconds_total',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
      'nodejs_version_info',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/^process_cpu_seconds_total\{env="test",service="ingestion"\} \d/m);
    expect(text).not.toContain('ignored');
  });

  test('is a registry of its own, never the global one', async () => {
    const before = (await globalRegistry.metrics()).length;
    const registry = createMetricsRegistry({ service: 'own' });
    new Counter({ name: 'own_things_total', help: 'things', registers: [registry] }).inc();
    expect(registry).not.toBe(globalRegistry);
    expect(await globalRegistry.metrics()).toHaveLength(before);
    expect(globalRegistry.getSingleMetric('own_things_total')).toBeUndefined();
  });

  test('can leave out the default metrics', async () => {
    const registry = createMetricsRegistry({ service: 'bare', defaultMetrics: false });
    expect(registry.getMetricsAsArray()).toHaveLength(0);
  });
});

describe('renderMetrics', () => {
  test('renders OpenMetrics without renaming the counters of the text format afterwards', async () => {
    const registry = createMetricsRegistry({ service: 'svc', defaultMetrics: false });
    new Counter({
      name: 'svc_events_total',
      help: 'events',
      labelNames: ['type'],
      registers: [registry],
    }).inc({ type: 'watch' }, 3);
    new Histogram({
      name: 'svc_duration_seconds',
      help: 'duration',
      buckets: [0.1, 1],
      registers: [registry],
    }).observe(0.5);

    const openMetrics = await renderMetrics(registry, 'openmetrics');
    expect(openMetrics).toContain('# TYPE svc_events counter\n');
    expect(openMetrics).toContain('svc_events_total{type="watch",service="svc"} 3\n');
    expect(openMetrics).toContain('svc_duration_seconds_bucket{le="1",service="svc"} 1\n');
    expect(openMetrics.endsWith('# EOF\n')).toBe(true);

    const text = await renderMetrics(registry, 'prometheus');
    expect(text).toContain('# TYPE svc_events_total counter\n');
    expect(text).toContain('svc_events_total{type="watch",service="svc"} 3\n');
    expect(text).not.toContain('# EOF');
    expect(await registry.metrics()).toBe(text);
  });

  test('runs collect() at scrape time, also one that resets its gauge, in both formats', async () => {
    const registry = createMetricsRegistry({ service: 'svc', defaultMetrics: false });
    let partitions = ['0', '1'];
    new Gauge({
      name: 'svc_lag_messages',
      help: 'lag',
      labelNames: ['partition'],
      registers: [registry],
      collect() {
        this.reset();
        for (const partition of partitions) this.set({ partition }, 7);
      },
    });
    expect(await renderMetrics(registry, 'prometheus')).toContain(
      'svc_lag_messages{partition="1",service="svc"} 7',
    );
    partitions = ['0'];
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const body = await renderMetrics(registry, format);
      expect(body).toContain('svc_lag_messages{partition="0",service="svc"} 7');
      expect(body).not.toContain('partition="1"');
    }
  });
});

describe('negotiateFormat', () => {
  test.each([
    [undefined, 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain;version=0.0.4', 'prometheus'],
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    ['application/openmetrics-text; version=1.0.0', 'openmetrics'],
    ['text/plain;q=1,application/openmetrics-text;q=0.5', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
  ] as const)('Accept %s gets %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});
