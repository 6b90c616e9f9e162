import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createMetricsRegistry } from '@reelwatch/service-kit';
import { lintMetrics } from '@reelwatch/testkit';
import { parseRateLimit } from '../src/protocol';
import { DEFAULT_QUEUES, TASKS } from '../src/tasks';
import { WorkerMetrics } from '../src/worker-metrics';

describe('the task list', () => {
  it('declares exactly one task per file in src/tasks, named after the file', () => {
    const files = readdirSync(path.resolve(__dirname, '../src/tasks'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(TASKS.map((t) => t.name.replaceAll('.', '-')).sort()).toEqual(files);
  });

  it('has unique names, a queue, at least one attempt and a description for every task', () => {
    expect(new Set(TASKS.map((t) => t.name)).size).toBe(TASKS.length);
    for (const task of TASKS) {
      expect([task.name, task.queue.length > 0, task.attempts >= 1, task.description.length > 0]).toEqual([
        task.name,
        true,
        true,
        true,
      ]);
    }
    expect(DEFAULT_QUEUES).toEqual(['default', 'recommendations', 'exports']);
  });

  it('rejects bad arguments as not retryable', () => {
    const recompute = TASKS.find((t) => t.name === 'recommendations.recompute')!;
    expect(() => recompute.parseArgs({})).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENTS', retryable: false }),
    );
    expect(recompute.parseArgs({ userId: 42 })).toEqual({ userId: '42', limit: 10 });
    expect(() => recompute.parseArgs({ userId: 'alice' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENTS' }),
    );
  });
});

describe('demo.unreliable', () => {
  const task = TASKS.find((t) => t.name === 'demo.unreliable')!;
  const context = (attempt: number) =>
    ({ attempt, signal: new AbortController().signal }) as Parameters<typeof task.run>[1];

  it('fails exactly its first failAttempts attempts, then succeeds', async () => {
    const args = task.parseArgs({ failAttempts: 1 });
    await expect(task.run(args, context(1))).rejects.toThrow('demo failure on attempt 1 of the 1 asked for');
    await expect(task.run(args, context(2))).resolves.toEqual({ attempt: 2, sleptMs: 0 });
    expect(task.parseArgs(undefined)).toEqual({ failAttempts: 0, sleepMs: 0 });
  });

  it('stops sleeping when revoked', async () => {
    const controller = new AbortController();
    const run = task.run(task.parseArgs({ sleepMs: 60_000 }), {
      ...context(1),
      signal: controller.signal,
    });
    controller.abort(new Error('revoked'));
    await expect(run).rejects.toThrow('revoked');
  });

  it('rejects bad arguments as not retryable', () => {
    expect(() => task.parseArgs({ failAttempts: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENTS', retryable: false }),
    );
  });
});

describe('parseRateLimit', () => {
  it("reads Celery's n/s, n/m and n/h as tasks per second", () => {
    expect(parseRateLimit('10/s')).toBe(10);
    expect(parseRateLimit('120/m')).toBe(2);
    expect(parseRateLimit('3600/h')).toBe(1);
    expect(parseRateLimit('5')).toBe(5);
  });

  it('reads 0 or empty as no limit and rejects anything else', () => {
    expect(parseRateLimit('0')).toBeNull();
    expect(parseRateLimit('')).toBeNull();
    expect(() => parseRateLimit('fast')).toThrow(RangeError);
    expect(() => parseRateLimit('10/d')).toThrow(RangeError);
  });
});

describe('worker metrics', () => {
  it('pass the metric-name lint', async () => {
    const registry = createMetricsRegistry({ service: 'task-worker' });
    const metrics = new WorkerMetrics(registry, { concurrency: () => 4, active: () => 1, reserved: () => 0 });
    metrics.tasks.inc({ task: 'noop', outcome: 'succeeded' });
    metrics.runtime.observe({ task: 'noop' }, 0.01);
    metrics.waitTime.observe({ task: 'noop' }, 0.01);
    metrics.consumedQueues.set({ queue: 'default' }, 1);
    metrics.controlCommands.inc({ command: 'pool_grow', outcome: 'ok' });
    expect(await lintMetrics(registry)).toEqual([]);
  });
});
