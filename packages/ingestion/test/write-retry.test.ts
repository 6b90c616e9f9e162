import { createMetricsRegistry } from '@reelwatch/service-kit';
import pino from 'pino';
import { IngestionMetrics } from '../src/ingestion-metrics';
import { StopSignal } from '../src/stop-signal';
import { type RetryHooks, WriteRetry } from '../src/write-retry';

const quiet = pino({ level: 'silent' });

async function value(metric: { get(): Promise<{ values: Array<{ value: number }> }> }): Promise<number> {
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}

function setup() {
  const stop = new StopSignal();
  const metrics = new IngestionMetrics(
    createMetricsRegistry({ service: 'ingestion', defaultMetrics: false }),
  );
  const retry = new WriteRetry({ retryInitialMs: 1, retryMaxMs: 4, logger: quiet, metrics, stop });
  const calls: string[] = [];
  const hooks: RetryHooks = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    heartbeat: async () => {
      calls.push('heartbeat');
    },
  };
  return { stop, metrics, retry, calls, hooks };
}

test('a write that succeeds at once neither pauses nor counts a retry', async () => {
  const { retry, metrics, calls, hooks } = setup();
  expect(await retry.run(async () => 'ok', hooks)).toBe('ok');
  expect(calls).toEqual([]);
  expect(await value(metrics.dbRetries)).toBe(0);
});

test('a failing write is retried while paused, counted, reported as retrying, then resumed once it succeeds', async () => {
  const { retry, metrics, calls, hooks } = setup();
  let attempts = 0;
  const seen: Array<{ retrying: boolean; gauge: number }> = [];
  const result = await retry.run(async () => {
    attempts++;
    if (attempts > 1) seen.push({ retrying: retry.retrying, gauge: await value(metrics.dbRetrying) });
    if (attempts < 4) throw new Error('connection refused');
    return 'written';
  }, hooks);
  expect(result).toBe('written');
  expect(calls).toEqual(['pause', 'heartbeat', 'heartbeat', 'heartbeat', 'resume']);
  expect(seen.every((s) => s.retrying && s.gauge === 1)).toBe(true);
  expect(await value(metrics.dbRetries)).toBe(3);
  expect(retry.retrying).toBe(false);
  expect(await value(metrics.dbRetrying)).toBe(0);
});

test('a rebalance while retrying (the heartbeat throws) gives the write up and resumes', async () => {
  const { retry, calls, hooks } = setup();
  hooks.heartbeat = async () => {
    calls.push('heartbeat');
    throw new Error('rebalance in progress');
  };
  const result = await retry.run(async () => {
    throw new Error('down');
  }, hooks);
  expect(result).toBeUndefined();
  expect(calls).toEqual(['pause', 'heartbeat', 'resume']);
  expect(retry.retrying).toBe(false);
});

test('stop gives a retried write up without waiting out the backoff', async () => {
  const stop = new StopSignal();
  const retry = new WriteRetry({ retryInitialMs: 60_000, retryMaxMs: 60_000, logger: quiet, stop });
  const hooks: RetryHooks = {
    pause: () => undefined,
    resume: () => undefined,
    heartbeat: async () => undefined,
  };
  const started = Date.now();
  const running = retry.run(async () => {
    throw new Error('down');
  }, hooks);
  setTimeout(() => stop.stop(), 20);
  expect(await running).toBeUndefined();
  expect(Date.now() - started).toBeLessThan(5_000);
});
