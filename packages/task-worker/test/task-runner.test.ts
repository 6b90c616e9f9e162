import { createMetricsRegistry } from '@reelwatch/service-kit';
import { type Job, UnrecoverableError } from 'bullmq';
import pino from 'pino';
import { TaskQueueError } from '../src/errors';
import { type AnyTaskDefinition, defineTask } from '../src/task';
import { TaskRunner } from '../src/task-runner';
import { WorkerMetrics } from '../src/worker-metrics';

function task(
  name: string,
  run: (args: unknown, signal: AbortSignal) => Promise<unknown>,
): AnyTaskDefinition {
  return defineTask<unknown, unknown>({
    name,
    queue: 'default',
    description: name,
    attempts: 1,
    backoff: { type: 'fixed', delay: 0 },
    parseArgs: (raw) => raw,
    run: (args, { signal }) => run(args, signal),
  });
}

function job(id: string, name: string, extra: { attempts?: number; attemptsMade?: number } = {}): Job {
  return {
    id,
    name,
    data: {},
    opts: { attempts: extra.attempts ?? 1 },
    timestamp: Date.now(),
    attemptsMade: extra.attemptsMade ?? 0,
  } as unknown as Job;
}

function runner(tasks: AnyTaskDefinition[], concurrency = 1): { runner: TaskRunner; metrics: WorkerMetrics } {
  const registry = createMetricsRegistry({ service: 'task-worker' });
  const metrics = new WorkerMetrics(registry, { concurrency: () => 1, active: () => 0, reserved: () => 0 });
  const logger = pino({ level: 'silent' });
  return {
    runner: new TaskRunner({ tasks, concurrency, deps: {} as never, events: null, metrics, logger }),
    metrics,
  };
}

async function outcomes(metrics: WorkerMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.tasks.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.task}/${v.labels.outcome}`, v.value]));
}

describe('TaskRunner', () => {
  it('runs a registered task and counts it as succeeded', async () => {
    const { runner: r, metrics } = runner([task('t.ok', async () => 'fine')]);
    await expect(r.process(job('1', 't.ok'), 'default')).resolves.toBe('fine');
    expect(await outcomes(metrics)).toEqual({ 't.ok/succeeded': 1 });
    expect(r.info()).toMatchObject({ processed: 1, total: { 't.ok': 1 }, active: 0, reserved: 0 });
  });

  it('fails an unregistered task as not retryable under one label value', async () => {
    const { runner: r, metrics } = runner([]);
    await expect(r.process(job('1', 'who.knows'), 'default')).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await outcomes(metrics)).toEqual({ 'unregistered/failed': 1 });
  });

  it('counts a failure that will be retried as retried, and a not retryable one as failed', async () => {
    const { runner: r, metrics } = runner([
      task('t.flaky', async () => {
        throw new Error('flaky');
      }),
      task('t.bad', async () => {
        throw new TaskQueueError('INVALID_ARGUMENTS', 'bad', { retryable: false });
      }),
    ]);
    await expect(r.process(job('1', 't.flaky', { attempts: 3 }), 'default')).rejects.toThrow('flaky');
    await expect(r.process(job('2', 't.bad', { attempts: 3 }), 'default')).rejects.toThrow(
      new UnrecoverableError('INVALID_ARGUMENTS: bad'),
    );
    expect(await outcomes(metrics)).toEqual({ 't.flaky/retried': 1, 't.bad/failed': 1 });
  });

  it('discards a revoked id and terminates a running task on revoke', async () => {
    let started = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const { runner: r, metrics } = runner([
      task('t.wait', (_args, signal) => {
        started();
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      }),
    ]);
    r.revoke('gone', false);
    await expect(r.process(job('gone', 't.wait'), 'default')).rejects.toThrow('revoked');
    const run = r.process(job('live', 't.wait'), 'default');
    await running;
    expect(r.info().activeTasks.map((t) => t.id)).toEqual(['live']);
    expect(r.revoke('live', true)).toBe(true);
    await expect(run).rejects.toThrow(new UnrecoverableError('revoked'));
    expect(await outcomes(metrics)).toEqual({ 't.wait/revoked': 2 });
    expect(r.active).toBe(0);
  });

  it('holds a job as reserved until a pool slot frees', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { runner: r } = runner([task('t.gate', () => gate.then(() => 'ok'))], 1);
    const first = r.process(job('1', 't.gate'), 'default');
    const second = r.process(job('2', 't.gate'), 'default');
    await new Promise((resolve) => setImmediate(resolve));
    expect([r.active, r.reserved]).toEqual([1, 1]);
    release();
    await expect(Promise.all([first, second])).resolves.toEqual(['ok', 'ok']);
  });

  it('reports and clears rate and time limits', () => {
    const { runner: r } = runner([]);
    r.setRateLimit('t.ok', '10/m');
    r.setTimeLimit('t.ok', 1, 2);
    expect(r.info()).toMatchObject({
      rateLimits: { 't.ok': '10/m' },
      timeLimits: { 't.ok': { soft: 1, hard: 2 } },
    });
    r.setRateLimit('t.ok', '0');
    r.setTimeLimit('t.ok', null, null);
    expect(r.info()).toMatchObject({ rateLimits: {}, timeLimits: {} });
  });
});
