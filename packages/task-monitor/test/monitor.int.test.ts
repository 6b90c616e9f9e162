import { type RedisServer, startRedis, waitFor } from '@reelwatch/testkit';
import { Registry } from 'prom-client';
import { createMonitorHarness, type MonitorHarness, sample, workerStateIn } from './helpers';

let server: RedisServer;
let h: MonitorHarness;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.destroy();
});
beforeEach(async () => {
  h = await createMonitorHarness(server);
});
afterEach(async () => {
  await h.close();
});

describe('TaskMonitor', () => {
  it('exposes Flower metrics that match the events that happened', async () => {
    const registry = new Registry();
    const monitor = await h.startMonitor({ registry });
    const worker = await h.startWorker();
    const ok = await h.client.applyBulk('noop', [{}, {}, {}, {}, {}]);
    const bad = await h.client.apply('test.flaky', { failures: 5 }); // 3 attempts: retried, retried, failed
    await waitFor(
      () =>
        ok.every((id) => monitor.state.tasks.get(id)?.state === 'SUCCESS') &&
        monitor.state.tasks.get(bad)?.state === 'FAILURE',
      { timeoutMs: 10_000, what: 'the monitor to see every task finish' },
    );
    const text = await registry.metrics();
    const w = worker.name;
    const events = (type: string, task: string) =>
      sample(text, 'flower_events_total', { worker: w, type, task });
    expect(events('task-received', 'noop')).toBe(5);
    expect(events('task-started', 'noop')).toBe(5);
    expect(events('task-succeeded', 'noop')).toBe(5);
    expect(events('task-received', 'test.flaky')).toBe(3);
    expect(events('task-retried', 'test.flaky')).toBe(2);
    expect(events('task-failed', 'test.flaky')).toBe(1);
    expect(sample(text, 'flower_task_runtime_seconds_count', { worker: w, task: 'noop' })).toBe(5);
    expect(sample(text, 'flower_task_runtime_seconds_count', { worker: w, task: 'test.flaky' })).toBe(1);
    expect(sample(text, 'flower_worker_prefetched_tasks', { worker: w, task: 'noop' })).toBe(0);
    expect(
      sample(text, 'flower_task_prefetch_time_seconds', { worker: w, task: 'noop' }),
    ).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'flower_worker_online', { worker: w })).toBe(1);
    expect(sample(text, 'flower_worker_number_of_currently_executing_tasks', { worker: w })).toBe(0);
    expect(sample(text, 'reelwatch_tasks_queue_jobs', { queue: 'default', state: 'failed' })).toBe(1);
    expect(sample(text, 'reelwatch_tasks_queue_jobs', { queue: 'default', state: 'waiting' })).toBe(0);
    expect(sample(text, 'reelwatch_tasks_broker_connected_clients')).toBeGreaterThan(0);
    expect(sample(text, 'reelwatch_tasks_broker_uptime_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('reports prefetched and executing tasks while they wait for a slot and run', async () => {
    const registry = new Registry();
    const monitor = await h.startMonitor({ registry });
    const worker = await h.startWorker({ concurrency: 1, prefetchMultiplier: 4, heartbeatIntervalMs: 200 });
    const first = await h.client.apply('test.gate', { gate: 'g' });
    const second = await h.client.apply('test.gate', { gate: 'g' });
    await waitFor(() => monitor.state.tasks.get(second)?.state === 'RECEIVED' && h.gates.running === 1, {
      timeoutMs: 5000,
      what: 'one task running, one prefetched',
    });
    const labels = { worker: worker.name, task: 'test.gate' };
    await waitFor(
      async () =>
        sample(await registry.metrics(), 'flower_worker_number_of_currently_executing_tasks', {
          worker: worker.name,
        }) === 1,
      { timeoutMs: 5000, what: 'a heartbeat reporting 1 executing task' },
    );
    expect(sample(await registry.metrics(), 'flower_worker_prefetched_tasks', labels)).toBe(1);
    h.gates.release('g');
    await waitFor(() => monitor.state.tasks.get(second)?.state === 'SUCCESS', {
      timeoutMs: 5000,
      what: 'both done',
    });
    const text = await registry.metrics();
    expect(sample(text, 'flower_worker_prefetched_tasks', labels)).toBe(0);
    expect(sample(text, 'flower_task_prefetch_time_seconds', labels)).toBe(0); // as Flower: 0 once done
    expect(monitor.state.tasks.get(first)?.state).toBe('SUCCESS');
  });

  it('reports the queue backlog and the age of the oldest waiting job at scrape time', async () => {
    const registry = new Registry();
    await h.startMonitor({ registry, queues: ['default', 'exports'] });
    await h.client.apply('noop', {}, { queue: 'exports' }); // nobody consumes 'exports'
    await h.client.apply('noop', {}, { queue: 'exports' });
    await waitFor(
      async () =>
        (sample(await registry.metrics(), 'reelwatch_tasks_queue_oldest_waiting_age_seconds', {
          queue: 'exports',
        }) ?? 0) >= 0.2,
      { timeoutMs: 5000, what: 'oldest waiting age to grow' },
    );
    const text = await registry.metrics();
    expect(sample(text, 'reelwatch_tasks_queue_jobs', { queue: 'exports', state: 'waiting' })).toBe(2);
    expect(sample(text, 'reelwatch_tasks_queue_oldest_waiting_age_seconds', { queue: 'default' })).toBe(0);
  });

  it('keeps the task history across a monitor restart and resumes the stream where it stopped', async () => {
    const first = await h.startMonitor();
    await h.startWorker();
    const before = await h.client.applyBulk('noop', [{}, {}, {}]);
    await waitFor(() => before.every((id) => first.state.tasks.get(id)?.state === 'SUCCESS'), {
      timeoutMs: 10_000,
      what: 'first monitor to see the tasks',
    });
    await first.stop();
    const during = await h.client.apply('noop', {}); // happens while no monitor runs
    const registry = new Registry();
    const second = await h.startMonitor({ registry });
    for (const id of before) expect(second.state.tasks.get(id)?.state).toBe('SUCCESS');
    await waitFor(() => second.state.tasks.get(during)?.state === 'SUCCESS', {
      timeoutMs: 10_000,
      what: 'second monitor to catch up',
    });
    // the events of the first three tasks are not counted twice
    const text = await registry.metrics();
    expect(sample(text, 'flower_events_total', { type: 'task-succeeded', task: 'noop' })).toBe(1);
  });

  it('bounds the history: the oldest tasks are evicted in memory and in Redis', async () => {
    const monitor = await h.startMonitor({ maxTasks: 100 });
    await h.startWorker({ concurrency: 8 });
    const ids = await h.client.applyBulk(
      'noop',
      Array.from({ length: 130 }, () => ({})),
    );
    await waitFor(() => monitor.state.tasks.get(ids.at(-1)!)?.state === 'SUCCESS', {
      timeoutMs: 10_000,
      what: 'the last task',
    });
    const kept = monitor.state.tasks.size;
    expect(kept).toBeLessThanOrEqual(100);
    expect(kept).toBeGreaterThanOrEqual(94); // evicted in chunks of 1/16
    expect(monitor.state.tasks.has(ids.at(-1)!)).toBe(true);
    expect(monitor.state.tasks.has(ids[0]!)).toBe(false);
    await waitFor(async () => (await h.redis.hlen(h.keys.monitorTasks)) === kept, {
      timeoutMs: 5000,
      what: 'the persisted history to be trimmed',
    });
  });

  it('marks a worker offline when it stops and purges it after the purge delay', async () => {
    const registry = new Registry();
    const monitor = await h.startMonitor({ registry, purgeOfflineWorkersSeconds: 1 });
    const worker = await h.startWorker();
    await waitFor(() => workerStateIn(monitor, worker.name) === 'online', {
      timeoutMs: 5000,
      what: 'worker online',
    });
    await worker.stop();
    await waitFor(() => workerStateIn(monitor, worker.name) === 'shutdown', {
      timeoutMs: 5000,
      what: 'worker offline',
    });
    expect(sample(await registry.metrics(), 'flower_worker_online', { worker: worker.name })).toBe(0);
    await waitFor(() => !monitor.state.workers.has(worker.name), { timeoutMs: 5000, what: 'worker purged' });
    expect(sample(await registry.metrics(), 'flower_worker_online', { worker: worker.name })).toBeUndefined();
    expect(
      sample(await registry.metrics(), 'reelwatch_tasks_worker_state', {
        worker: worker.name,
        state: 'shutdown',
      }),
    ).toBeUndefined();
    expect(await h.redis.zscore(h.keys.workers, worker.name)).toBeNull();
    expect(await h.redis.zscore(h.keys.workerGoodbyes, worker.name)).toBeNull();
    expect(await h.redis.hexists(h.keys.workerAnnouncements, worker.name)).toBe(0);
  });

  it('shows a cleanly stopped worker as shut down, never lost, with its pool in the metrics', async () => {
    const registry = new Registry();
    const monitor = await h.startMonitor({ registry });
    const worker = await h.startWorker({ heartbeatIntervalMs: 200 });
    await waitFor(() => workerStateIn(monitor, worker.name) === 'online', {
      timeoutMs: 5000,
      what: 'online',
    });
    await worker.stop();
    await waitFor(() => workerStateIn(monitor, worker.name) === 'shutdown', {
      timeoutMs: 5000,
      what: 'shutdown',
    });
    // well past the heartbeat expiry (2 x 200 ms) it is still shut down, not lost
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(workerStateIn(monitor, worker.name)).toBe('shutdown');
    const text = await registry.metrics();
    const state = (s: string) =>
      sample(text, 'reelwatch_tasks_worker_state', { worker: worker.name, state: s });
    expect([state('online'), state('shutdown'), state('lost')]).toEqual([0, 1, 0]);
    expect(sample(text, 'reelwatch_tasks_workers', { state: 'lost' })).toBe(0);
    expect(sample(text, 'flower_worker_online', { worker: worker.name })).toBe(0);
    expect(monitor.state.workers.get(worker.name)?.info.concurrency).toBe(2);
  });
});

describe('TaskMonitor restarted over the workers of a previous run', () => {
  it('shows the previous run, stopped cleanly after the monitor, as shut down: no lost worker', async () => {
    const first = await h.startMonitor();
    const a = await h.startWorker({ concurrency: 3 });
    const b = await h.startWorker({ events: false }); // says goodbye in Redis only
    await waitFor(() => workerStateIn(first, a.name) === 'online', { timeoutMs: 5000, what: 'online' });
    // `stack down` order: the monitor may stop before the workers say goodbye
    await first.stop();
    await a.stop();
    await b.stop();
    const registry = new Registry();
    const second = await h.startMonitor({ registry });
    expect(workerStateIn(second, a.name)).toBe('shutdown');
    expect(workerStateIn(second, b.name)).toBe('shutdown');
    // their pool is known although their heartbeat keys are gone (no null concurrency)
    expect(second.state.workers.get(a.name)?.info.concurrency).toBe(3);
    expect(second.state.workers.get(b.name)?.info.concurrency).toBe(2);
    // and stays so once the stream with the previous run's events is replayed
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const text = await registry.metrics();
    expect(sample(text, 'reelwatch_tasks_workers', { state: 'lost' })).toBe(0);
    expect(sample(text, 'reelwatch_tasks_workers', { state: 'shutdown' })).toBe(2);
    expect(sample(text, 'reelwatch_tasks_worker_state', { worker: a.name, state: 'lost' })).toBe(0);
  });

  it('purges, before the first scrape, previous-run workers offline for longer than the purge delay', async () => {
    const first = await h.startMonitor();
    const worker = await h.startWorker();
    await waitFor(() => workerStateIn(first, worker.name) === 'online', { timeoutMs: 5000, what: 'online' });
    await first.stop();
    await worker.stop();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const registry = new Registry();
    const second = await h.startMonitor({ registry, purgeOfflineWorkersSeconds: 1 });
    expect(second.state.workers.has(worker.name)).toBe(false);
    expect(sample(await registry.metrics(), 'reelwatch_tasks_workers', { state: 'shutdown' })).toBe(0);
    expect(await h.redis.zscore(h.keys.workers, worker.name)).toBeNull();
    expect(await h.redis.hexists(h.keys.workerAnnouncements, worker.name)).toBe(0);
  });

  it('forgets workers known by name only (left by a worker older than the announcements)', async () => {
    await h.redis.zadd(h.keys.workers, Date.now() - 60_000, 'worker@old-version');
    const monitor = await h.startMonitor();
    expect(monitor.state.workers.has('worker@old-version')).toBe(false);
    expect(await h.redis.zscore(h.keys.workers, 'worker@old-version')).toBeNull();
  });
});

describe('TaskMonitor with its broker down', () => {
  it('still answers a scrape, quickly, with reelwatch_tasks_broker_up 0 and its Flower metrics', async () => {
    const own = await startRedis();
    let destroyed = false;
    const mh = await createMonitorHarness(own);
    try {
      const registry = new Registry();
      const monitor = await mh.startMonitor({ registry });
      await mh.startWorker();
      const id = await mh.client.apply('noop', {});
      await waitFor(() => monitor.state.tasks.get(id)?.state === 'SUCCESS', {
        timeoutMs: 10_000,
        what: 'a task',
      });
      await own.destroy();
      destroyed = true;
      const started = Date.now();
      const text = await registry.metrics();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(sample(text, 'reelwatch_tasks_broker_up')).toBe(0);
      expect(sample(text, 'flower_events_total', { type: 'task-succeeded', task: 'noop' })).toBe(1);
    } finally {
      if (!destroyed) await own.destroy();
      await mh.close(); // must not hang although the server is gone
    }
  });
});
