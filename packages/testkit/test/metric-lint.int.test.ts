import { readFileSync } from 'node:fs';
import { createMetricsRegistry, renderMetrics } from '@reelwatch/service-kit';
import { Counter, Gauge, Histogram, Summary } from 'prom-client';
import { sharedFixture } from '../../service-kit/test/helpers';
import { lintMetrics, parseExposition } from '../src';

function bareRegistry() {
  return createMetricsRegistry({ service: 'lint', defaultMetrics: false });
}

describe('lintMetrics', () => {
  test("passes prom-client's default metrics in both exposition formats", async () => {
    const registry = createMetricsRegistry({ service: 'lint' });
    expect(await lintMetrics(registry)).toEqual([]);
    expect(await lintMetrics(await renderMetrics(registry, 'openmetrics'))).toEqual([]);
  });

  test('passes every metric name the Node.js community dashboard queries', async () => {
    const dashboard = readFileSync(
      sharedFixture('community-dashboards/nodejs-application-11159.json'),
      'utf8',
    );
    const names = [
      ...new Set([...dashboard.matchAll(/\b((?:nodejs|process)_[a-z_]+)\{/g)].map((m) => m[1]!)),
    ];
    expect(names.length).toBeGreaterThanOrEqual(14);
    const registry = createMetricsRegistry({ service: 'lint' });
    const families = parseExposition(await registry.metrics()).families.filter((f) => names.includes(f.name));
    expect(families.map((f) => f.name).sort()).toEqual([...names].sort());
    const text = families
      .map((f) => [`# TYPE ${f.name} ${f.type}`, ...f.samples.map((s) => `${s.name} ${s.value}`)].join('\n'))
      .join('\n');
    expect(await lintMetrics(text)).toEqual([]);
  });

  test('passes well-named service metrics of every type', async () => {
    const registry = bareRegistry();
    new Counter({
      name: 'reelwatch_ingestion_events_total',
      help: 'h',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }).inc({ type: 'watch', outcome: 'applied' });
    new Histogram({
      name: 'reelwatch_ingestion_batch_duration_seconds',
      help: 'h',
      registers: [registry],
    }).observe(0.2);
    new Summary({ name: 'reelwatch_producer_send_size_bytes', help: 'h', registers: [registry] }).observe(10);
    new Gauge({
      name: 'reelwatch_ingestion_last_batch_timestamp_seconds',
      help: 'h',
      registers: [registry],
    }).setToCurrentTime();
    new Gauge({
      name: 'reelwatch_ingestion_consumer_lag_messages',
      help: 'h',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }).set({ topic: 'movie-events', partition: '0' }, 3);
    expect(await lintMetrics(registry)).toEqual([]);
  });

  test('rejects a gauge named _total', async () => {
    const registry = bareRegistry();
    new Gauge({ name: 'reelwatch_queue_jobs_total', help: 'h', registers: [registry] }).set(1);
    expect(await lintMetrics(registry)).toEqual([
      'reelwatch_queue_jobs_total: only counters may end in _total (this is a gauge)',
    ]);
  });

  test('rejects a counter without _total', async () => {
    const registry = bareRegistry();
    new Counter({ name: 'reelwatch_events', help: 'h', registers: [registry] }).inc();
    expect(await lintMetrics(registry)).toEqual(['reelwatch_events: counter names must end in _total']);
  });

  test('rejects a user_id label and other unbounded labels', async () => {
    const registry = bareRegistry();
    const watched = new Counter({
      name: 'reelwatch_watched_total',
      help: 'h',
      labelNames: ['user_id'],
      registers: [registry],
    });
    watched.inc({ user_id: '42' });
    new Counter({
      name: 'reelwatch_ratings_total',
      help: 'h',
      labelNames: ['movie', 'query'],
      registers: [registry],
    }).inc({
      movie: 'the+matrix+1999',
      query: 'SELECT 1',
    });
    expect((await lintMetrics(registry)).sort()).toEqual([
      'reelwatch_ratings_total: label "movie" has unbounded values (ids, raw text): aggregate instead or log it',
      'reelwatch_ratings_total: label "query" has unbounded values (ids, raw text): aggregate instead or log it',
      'reelwatch_watched_total: label "user_id" has unbounded values (ids, raw text): aggregate instead or log it',
    ]);
    expect(await lintMetrics(registry, { allowLabels: ['user_id', 'movie', 'query'] })).toEqual([]);
  });

  test('rejects a _milliseconds metric and other non-base units', async () => {
    const registry = bareRegistry();
    new Histogram({ name: 'reelwatch_send_duration_milliseconds', help: 'h', registers: [registry] }).observe(
      5,
    );
    new Gauge({ name: 'reelwatch_cache_size_mb', help: 'h', registers: [registry] }).set(5);
    new Gauge({ name: 'reelwatch_uptime_minutes', help: 'h', registers: [registry] }).set(5);
    expect((await lintMetrics(registry)).sort()).toEqual([
      'reelwatch_cache_size_mb: size in "mb": use the base unit _bytes',
      'reelwatch_send_duration_milliseconds: time in "milliseconds": use the base unit _seconds',
      'reelwatch_uptime_minutes: time in "minutes": use the base unit _seconds',
    ]);
  });

  test('wants timestamps as _timestamp_seconds gauges', async () => {
    const registry = bareRegistry();
    new Gauge({ name: 'reelwatch_last_batch_timestamp', help: 'h', registers: [registry] }).set(1);
    new Counter({
      name: 'reelwatch_last_success_timestamp_seconds_total',
      help: 'h',
      registers: [registry],
    }).inc();
    expect((await lintMetrics(registry)).sort()).toEqual([
      'reelwatch_last_batch_timestamp: timestamps must be named *_timestamp_seconds (seconds since the epoch)',
      'reelwatch_last_success_timestamp_seconds_total: timestamps must be named *_timestamp_seconds (seconds since the epoch)',
    ]);
  });

  test('flags a label with more distinct values than allowed, and raw paths', async () => {
    const registry = bareRegistry();
    const requests = new Counter({
      name: 'reelwatch_http_requests_total',
      help: 'h',
      labelNames: ['path'],
      registers: [registry],
    });
    for (let i = 0; i < 12; i++) requests.inc({ path: `/data/m/movie-${i}/1.mpg` });
    expect(await lintMetrics(registry, { maxLabelValues: 10 })).toEqual([
      'reelwatch_http_requests_total: label "path" holds raw paths ("/data/m/movie-0/1.mpg"): use the route template',
      'reelwatch_http_requests_total: label "path" has 12 distinct values (more than 10)',
    ]);
    const templated = bareRegistry();
    new Counter({
      name: 'reelwatch_http_requests_total',
      help: 'h',
      labelNames: ['path'],
      registers: [templated],
    }).inc({
      path: '/data/m/:movie/:minute',
    });
    expect(await lintMetrics(templated)).toEqual([]);
  });

  test('reads exposition text: invalid names, histogram suffixes and OpenMetrics counters', async () => {
    const text = [
      '# TYPE job:requests:rate5m gauge',
      'job:requests:rate5m 1',
      '# TYPE ok_seconds histogram',
      'ok_seconds_bucket{le="+Inf"} 1',
      'ok_seconds_sum 0.5',
      'ok_seconds_count 1',
      '# TYPE om_events counter',
      'om_events_total{type="watch"} 1',
      'om_events_created{type="watch"} 1700000000',
      '# TYPE bad_labels gauge',
      'bad_labels{__reserved="x"} 1',
      'untyped_thing 3',
      '2xx_responses 4',
      'this is not a sample',
      '# EOF',
    ].join('\n');
    expect(await lintMetrics(text)).toEqual([
      'line 14: cannot parse sample "this is not a sample"',
      'job:requests:rate5m: colons are reserved for recording rules',
      'bad_labels: label names starting with __ are reserved ("__reserved")',
      '2xx_responses: invalid metric name (allowed: [a-zA-Z_:][a-zA-Z0-9_:]*)',
    ]);
  });

  test('allowNames exempts names kept for compatibility', async () => {
    const text =
      '# TYPE pg_stat_bgwriter_checkpoint_write_time_ms counter\npg_stat_bgwriter_checkpoint_write_time_ms 1\n';
    expect(await lintMetrics(text)).toHaveLength(2);
    expect(await lintMetrics(text, { allowNames: ['pg_stat_bgwriter_checkpoint_write_time_ms'] })).toEqual(
      [],
    );
  });
});
