import { createMetricsRegistry } from '@reelwatch/service-kit';
import { emptyWriteResult } from '../src/batch-types';
import { IngestionMetrics } from '../src/ingestion-metrics';

test('recordWrite counts applied, duplicate and dead-lettered events, new rows, and one batch size per polled batch', async () => {
  const registry = createMetricsRegistry({ service: 'ingestion', defaultMetrics: false });
  const metrics = new IngestionMetrics(registry);
  const result = emptyWriteResult();
  result.applied = 7;
  result.appliedByType = { watch: 3, rate: 2, recommend: 0, malformed: 2 };
  result.duplicatesByType = { watch: 0, rate: 1, recommend: 0, malformed: 0 };
  result.deadLetters = new Map([['rating_invalid', 2]]);
  result.newUsers = 4;
  result.newMovies = 1;
  metrics.recordWrite(result, [
    { count: 5, started: process.hrtime.bigint() },
    { count: 3, started: process.hrtime.bigint() },
  ]);
  const text = await registry.metrics();
  expect(text).toMatch(/reelwatch_ingestion_events_total\{[^}]*type="watch"[^}]*outcome="applied"[^}]*\} 3/);
  expect(text).toMatch(
    /reelwatch_ingestion_events_total\{[^}]*type="malformed"[^}]*outcome="dead_letter"[^}]*\} 2/,
  );
  expect(text).toMatch(/reelwatch_ingestion_events_total\{[^}]*type="rate"[^}]*outcome="duplicate"[^}]*\} 1/);
  expect(text).toMatch(/reelwatch_ingestion_dead_letters_total\{[^}]*reason="rating_invalid"[^}]*\} 2/);
  expect(text).toMatch(/reelwatch_ingestion_new_users_total\{[^}]*\} 4/);
  expect(text).toMatch(/reelwatch_ingestion_batch_size_events_count\{[^}]*\} 2/);
  expect(text).toMatch(/reelwatch_ingestion_batch_size_events_sum\{[^}]*\} 8/);
  expect(text).toMatch(/reelwatch_ingestion_db_transaction_duration_seconds_count\{[^}]*\} 1/);
  expect(text).toMatch(/reelwatch_ingestion_last_batch_timestamp_seconds\{[^}]*\} [1-9]/);
});

test('recordWrite of a write that applied nothing leaves the last batch timestamp unset', async () => {
  const registry = createMetricsRegistry({ service: 'ingestion', defaultMetrics: false });
  const metrics = new IngestionMetrics(registry);
  metrics.recordWrite(emptyWriteResult(), []);
  expect((await metrics.lastBatchTimestamp.get()).values.reduce((s, v) => s + v.value, 0)).toBe(0);
  expect(await registry.metrics()).toMatch(/reelwatch_ingestion_batch_size_events_count\{[^}]*\} 0/);
});
