import { type RedisServer, startRedis, waitFor } from '@reelwatch/testkit';
import type { TaskEvent } from '../src/protocol';
import { createHarness, type Harness } from './helpers';

let server: RedisServer;
let h: Harness;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.destroy();
});
beforeEach(async () => {
  h = await createHarness(server);
});
afterEach(async () => {
  await h.close();
});

async function taskEvents(id: string): Promise<TaskEvent[]> {
  return (await h.events()).filter((e): e is TaskEvent => 'uuid' in e && e.uuid === id);
}

/** Events are written in batches shortly after they happen: wait for the expected count. */
async function waitForTaskEvents(id: string, count: number): Promise<TaskEvent[]> {
  return waitFor(
    async () => {
      const events = await taskEvents(id);
      return events.length >= count ? events : false;
    },
    { timeoutMs: 5000, what: `${count} events of task ${id}` },
  );
}

async function stateOf(id: string, queues = ['default']): Promise<string | undefined> {
  return (await h.client.result(id, queues))?.state;
}

describe('TaskWorker', () => {
  it('runs a task and emits received, started and succeeded events with its runtime', async () => {
    await h.startWorker();
    const id = await h.client.apply('noop', {});
    await waitFor(async () => (await stateOf(id)) === 'SUCCESS', {
      timeoutMs: 10_000,
      what: 'noop to succeed',
    });
    const events = await waitForTaskEvents(id, 3);
    expect(events.map((e) => e.type)).toEqual(['task-received', 'task-started', 'task-succeeded']);
    expect(events[0]).toMatchObject({ name: 'noop', queue: 'default', hostname: 'worker@test-1' });
    expect(events[2]!.runtime).toBeGreaterThanOrEqual(0);
    expect(events[1]!.prefetch_time).toBeGreaterThanOrEqual(0);
    expect(events[1]!.wait_time).toBeGreaterThanOrEqual(events[1]!.prefetch_time!);
  });

  it('retries a failing task with backoff and reports task-retried then task-succeeded', async () => {
    await h.startWorker();
    const id = await h.client.apply('test.flaky', { failures: 2 });
    await waitFor(async () => (await stateOf(id)) === 'SUCCESS', {
      timeoutMs: 10_000,
      what: 'flaky to succeed',
    });
    const types = (await waitForTaskEvents(id, 9))
      .map((e) => e.type)
      .filter((t) => t !== 'task-received' && t !== 'task-started');
    expect(types).toEqual(['task-retried', 'task-retried', 'task-succeeded']);
  });

  it('announces itself with a heartbeat key that names its host, pid, concurrency and queues', async () => {
    const worker = await h.startWorker({ concurrency: 3, queues: ['default', 'exports'] });
    const info = JSON.parse((await h.redis.get(h.keys.worker(worker.name)))!);
    expect(info).toMatchObject({ hostname: 'worker@test-1', host: 'test', pid: process.pid, concurrency: 3 });
    expect(info.queues).toEqual(['default', 'exports']);
    expect(await h.redis.pttl(h.keys.worker(worker.name))).toBeGreaterThan(0);
  });

  it('pool grow raises the number of tasks running at once', async () => {
    // BullMQ applies a new concurrency after its next job completes; the prefetched tasks start at once
    const worker = await h.startWorker({ concurrency: 1, prefetchMultiplier: 4 });
    for (let i = 0; i < 4; i++) await h.client.apply('test.gate', { gate: 'g' });
    await waitFor(() => h.gates.running === 1, { timeoutMs: 5000, what: 'one task running' });
    const replies = await h.control.broadcast('pool_grow', { n: 2 }, { destination: [worker.name] });
    expect(replies).toEqual([{ worker: worker.name, ok: true, message: 'pool will grow by 2' }]);
    await waitFor(() => h.gates.running === 3, { timeoutMs: 5000, what: 'three tasks running' });
    expect(worker.concurrency).toBe(3);
    h.gates.release('g');
  });

  it('pool shrink lowers the number of tasks running at once', async () => {
    const worker = await h.startWorker({ concurrency: 3 });
    const replies = await h.control.broadcast('pool_shrink', { n: 2 }, { destination: [worker.name] });
    expect(replies[0]).toMatchObject({ ok: true });
    expect(worker.concurrency).toBe(1);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await h.client.apply('test.gate', { gate: 'g' }));
    await waitFor(() => h.gates.running === 1, { timeoutMs: 5000, what: 'one task running' });
    h.gates.release('g');
    for (const id of ids) {
      await waitFor(async () => (await stateOf(id)) === 'SUCCESS', { timeoutMs: 5000, what: `task ${id}` });
    }
    expect(h.gates.maxRunning).toBe(1);
  });

  it('autoscale grows the pool to the demand up to max', async () => {
    const worker = await h.startWorker({ concurrency: 1, prefetchMultiplier: 4 });
    await h.control.broadcast('autoscale', { max: 3, min: 1 }, { destination: [worker.name] });
    for (let i = 0; i < 4; i++) await h.client.apply('test.gate', { gate: 'g' });
    await waitFor(() => h.gates.running === 3, { timeoutMs: 8000, what: 'pool grown to 3' });
    expect(worker.concurrency).toBe(3);
    h.gates.release('g');
  });

  it('cancel-consumer stops it taking tasks from that queue and add-consumer resumes', async () => {
    const worker = await h.startWorker({ queues: ['default', 'exports'] });
    const cancel = await h.control.broadcast(
      'cancel_consumer',
      { queue: 'exports' },
      { destination: [worker.name] },
    );
    expect(cancel[0]).toMatchObject({ ok: true, message: 'no longer consuming from exports' });
    expect(worker.queues).toEqual(['default']);
    const parked = await h.client.apply('noop', {}, { queue: 'exports' });
    const probe = await h.client.apply('noop', {});
    // the worker is alive and took the probe from 'default' after the parked task was queued
    await waitFor(async () => (await stateOf(probe)) === 'SUCCESS', { timeoutMs: 5000, what: 'probe' });
    expect(await stateOf(parked, ['exports'])).toBe('PENDING');
    const add = await h.control.broadcast(
      'add_consumer',
      { queue: 'exports' },
      { destination: [worker.name] },
    );
    expect(add[0]).toMatchObject({ ok: true, message: 'add consumer exports' });
    await waitFor(async () => (await stateOf(parked, ['exports'])) === 'SUCCESS', {
      timeoutMs: 5000,
      what: 'parked task after add-consumer',
    });
  });

  it('a rate limit of 10/s spaces the starts of that task by 100 ms', async () => {
    const worker = await h.startWorker({ concurrency: 8, prefetchMultiplier: 2 });
    const replies = await h.control.broadcast(
      'rate_limit',
      { task: 'noop', rate: '10/s' },
      { destination: [worker.name] },
    );
    expect(replies[0]).toMatchObject({ ok: true, message: 'new rate limit set successfully' });
    const ids = await h.client.applyBulk(
      'noop',
      Array.from({ length: 11 }, () => ({})),
    );
    for (const id of ids) {
      await waitFor(async () => (await stateOf(id)) === 'SUCCESS', { timeoutMs: 10_000, what: `task ${id}` });
    }
    const starts = await waitFor(
      async () => {
        const started = (await h.events()).filter((e): e is TaskEvent => e.type === 'task-started');
        return started.length === 11 ? started.map((e) => e.timestamp).sort((a, b) => a - b) : false;
      },
      { timeoutMs: 5000, what: '11 task-started events' },
    );
    expect(starts).toHaveLength(11);
    // 11 starts at 10/s take at least 10 intervals of 100 ms (a little timer slack allowed)
    expect(starts[10]! - starts[0]!).toBeGreaterThanOrEqual(0.95);
    // Each start is scheduled one interval after the previous one's scheduled time (a token
    // bucket, as Celery's rate limit): a start the busy machine runs late (timer, pool slot)
    // shortens the next gap by that lateness, so a single gap may be under 100 ms by the timer
    // slack; none is a burst, and the span above holds the rate.
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0.05);
  });

  it('a hard time limit fails a task that runs longer', async () => {
    const worker = await h.startWorker();
    await h.control.broadcast('time_limit', { task: 'test.gate', hard: 0.3 }, { destination: [worker.name] });
    const id = await h.client.apply('test.gate', { gate: 'never' });
    await waitFor(async () => (await stateOf(id)) === 'FAILURE', {
      timeoutMs: 5000,
      what: 'time limit failure',
    });
    const result = await h.client.result(id, ['default']);
    expect(result?.exception).toContain('TIME_LIMIT_EXCEEDED');
    expect(h.gates.aborted).toContain(id);
  });

  it('revoke removes a waiting task and a delayed task from the queue', async () => {
    await h.startWorker({ queues: ['default'] });
    const waiting = await h.client.apply('noop', {}, { queue: 'exports' }); // nobody consumes 'exports'
    const delayed = await h.client.apply('noop', {}, { delayMs: 60_000 });
    for (const [id, queue] of [
      [waiting, 'exports'],
      [delayed, 'default'],
    ] as const) {
      const outcome = await h.control.revoke(id, { queues: [queue] });
      expect(outcome.removed).toBe(true);
      expect(await h.client.find(id, [queue])).toBeNull();
      const events = await taskEvents(id);
      expect(events.map((e) => e.type)).toEqual(['task-revoked']);
    }
  });

  it('revoke with terminate aborts a running task and marks it failed as revoked', async () => {
    await h.startWorker();
    const id = await h.client.apply('test.gate', { gate: 'never' });
    await waitFor(() => h.gates.started.includes(id), { timeoutMs: 5000, what: 'task started' });
    const outcome = await h.control.revoke(id, { terminate: true, queues: ['default'] });
    expect(outcome.removed).toBe(false);
    expect(outcome.replies[0]).toMatchObject({ ok: true, message: `terminate: ${id}` });
    await waitFor(async () => (await stateOf(id)) === 'REVOKED', { timeoutMs: 5000, what: 'revoked state' });
    expect(h.gates.aborted).toContain(id);
    const types = (await waitForTaskEvents(id, 3)).map((e) => e.type);
    expect(types).toEqual(['task-received', 'task-started', 'task-revoked']);
  });

  it('a remote shutdown lets the running task finish, then goes offline', async () => {
    let requested = '';
    const worker = await h.startWorker({
      onShutdownRequested: (reason) => {
        requested = reason;
        void worker.stop(reason);
      },
    });
    const id = await h.client.apply('test.gate', { gate: 'g' });
    await waitFor(() => h.gates.started.includes(id), { timeoutMs: 5000, what: 'task started' });
    const replies = await h.control.broadcast('shutdown', {}, { destination: [worker.name] });
    expect(replies[0]).toMatchObject({ ok: true, message: 'Warm shutdown' });
    expect(requested).toBe('remote shutdown');
    h.gates.release('g');
    await worker.stop();
    expect(await stateOf(id)).toBe('SUCCESS');
    expect(await h.redis.exists(h.keys.worker(worker.name))).toBe(0);
    expect((await h.events()).at(-1)).toMatchObject({ type: 'worker-offline', hostname: worker.name });
  });

  it('says goodbye on a clean stop: in Redis, its last announcement kept, and as a worker-offline event', async () => {
    const worker = await h.startWorker({ concurrency: 3 });
    const lastBeat = Number(await h.redis.zscore(h.keys.workers, worker.name));
    await worker.stop();
    const goodbye = Number(await h.redis.zscore(h.keys.workerGoodbyes, worker.name));
    expect(goodbye).toBeGreaterThanOrEqual(lastBeat);
    const announcement = JSON.parse((await h.redis.hget(h.keys.workerAnnouncements, worker.name))!);
    expect(announcement).toMatchObject({
      hostname: worker.name,
      concurrency: 3,
      queues: ['default'],
      active: 0,
    });
    expect(await h.redis.exists(h.keys.worker(worker.name))).toBe(0);
    const offline = (await h.events()).filter((e) => e.type === 'worker-offline');
    expect(offline).toEqual([expect.objectContaining({ hostname: worker.name, active: 0 })]);
    expect(Math.round(offline[0]!.timestamp * 1000)).toBe(goodbye);
  });

  it('says goodbye in Redis with the event stream off (TASK_WORKER_EVENTS=false)', async () => {
    const worker = await h.startWorker({ events: false });
    await worker.stop();
    expect(await h.redis.zscore(h.keys.workerGoodbyes, worker.name)).not.toBeNull();
    expect(await h.events()).toEqual([]);
  });

  it('keeps its heartbeat while running tasks drain, and says goodbye only after them', async () => {
    const worker = await h.startWorker({ heartbeatIntervalMs: 100 });
    const id = await h.client.apply('test.gate', { gate: 'g' });
    await waitFor(() => h.gates.started.includes(id), { timeoutMs: 5000, what: 'task started' });
    const stopping = worker.stop();
    const drainStart = Number(await h.redis.zscore(h.keys.workers, worker.name));
    // several heartbeat periods into the drain the worker still heartbeats, without a goodbye
    await waitFor(async () => Number(await h.redis.zscore(h.keys.workers, worker.name)) > drainStart + 300, {
      timeoutMs: 5000,
      what: 'heartbeats during the drain',
    });
    expect(await h.redis.zscore(h.keys.workerGoodbyes, worker.name)).toBeNull();
    h.gates.release('g');
    await stopping;
    expect(await stateOf(id)).toBe('SUCCESS');
    const goodbye = Number(await h.redis.zscore(h.keys.workerGoodbyes, worker.name));
    expect(goodbye).toBeGreaterThanOrEqual(Number(await h.redis.zscore(h.keys.workers, worker.name)));
  });

  it('a worker restarted under the same name clears its earlier goodbye', async () => {
    const first = await h.startWorker({ name: 'worker@same' });
    await first.stop();
    expect(await h.redis.zscore(h.keys.workerGoodbyes, 'worker@same')).not.toBeNull();
    await h.startWorker({ name: 'worker@same' });
    expect(await h.redis.zscore(h.keys.workerGoodbyes, 'worker@same')).toBeNull();
  });
});
