import type { TaskWorker } from '@reelwatch/task-worker';
import { type RedisServer, startRedis, waitFor } from '@reelwatch/testkit';
import type { TaskMonitor } from '../src/monitor';
import { createMonitorHarness, type MonitorHarness, workerStateIn } from './helpers';

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

const basic = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString('base64')}` });

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

describe('task-monitor API authentication', () => {
  it('refuses requests without credentials and accepts basic or bearer ones', async () => {
    const monitor = await h.startMonitor();
    const url = await h.serve(monitor, { auth: { basic: ['admin:s3cret', 'ops:other'], token: 'tok-123' } });
    const none = await fetch(`${url}/api/workers`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="task-monitor"');
    expect((await fetch(`${url}/api/workers`, { headers: basic('admin:wrong') })).status).toBe(401);
    expect((await fetch(`${url}/api/workers`, { headers: { authorization: 'Bearer nope' } })).status).toBe(
      401,
    );
    expect((await fetch(`${url}/api/task/revoke/x`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${url}/`)).status).toBe(401);
    expect((await fetch(`${url}/api/workers`, { headers: basic('ops:other') })).status).toBe(200);
    expect((await fetch(`${url}/api/workers`, { headers: { authorization: 'Bearer tok-123' } })).status).toBe(
      200,
    );
    const health = await fetch(`${url}/healthcheck`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK');
  });

  it('read-only mode refuses every mutating route with 403 and still serves reads', async () => {
    const monitor = await h.startMonitor();
    const url = await h.serve(monitor, { readOnly: true });
    for (const route of [
      '/api/worker/shutdown/w',
      '/api/worker/pool/restart/w',
      '/api/worker/pool/grow/w',
      '/api/worker/pool/shrink/w',
      '/api/worker/pool/autoscale/w',
      '/api/worker/queue/add-consumer/w',
      '/api/worker/queue/cancel-consumer/w',
      '/api/task/async-apply/noop',
      '/api/task/revoke/x',
      '/api/task/rate-limit/noop',
      '/api/task/timeout/noop',
    ]) {
      expect([route, (await fetch(`${url}${route}`, { method: 'POST' })).status]).toEqual([route, 403]);
    }
    expect((await fetch(`${url}/api/workers`)).status).toBe(200);
    expect((await fetch(`${url}/api/queues/length`)).status).toBe(200);
  });
});

describe("task-monitor API on Flower's routes", () => {
  let monitor: TaskMonitor;
  let worker: TaskWorker;
  let url: string;

  beforeEach(async () => {
    monitor = await h.startMonitor({ queues: ['default', 'exports'] });
    worker = await h.startWorker({ concurrency: 2, queues: ['default', 'exports'] });
    url = await h.serve(monitor);
    await waitFor(() => workerStateIn(monitor, worker.name) === 'online', {
      timeoutMs: 5000,
      what: 'worker online',
    });
  });

  it('lists workers with their pool, queues and status', async () => {
    const { status, body } = await json(`${url}/api/workers`);
    expect(status).toBe(200);
    expect(body[worker.name].stats.pool['max-concurrency']).toBe(2);
    expect(body[worker.name].active_queues.map((q: { name: string }) => q.name)).toEqual([
      'default',
      'exports',
    ]);
    expect(body[worker.name].registered).toContain('recommendations.recompute');
    expect((await json(`${url}/api/workers?status=true`)).body).toEqual({ [worker.name]: true });
    expect((await json(`${url}/api/workers?workername=nobody`)).status).toBe(404);
  });

  it('applies a task, reports its result, info and type, and lists it', async () => {
    const applied = await json(`${url}/api/task/async-apply/test.flaky`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kwargs: { failures: 0 } }),
    });
    expect(applied.status).toBe(200);
    expect(applied.body.state).toBe('PENDING');
    const id = applied.body['task-id'];
    const result = await waitFor(
      async () => {
        const r = await json(`${url}/api/task/result/${id}`);
        return r.body.state === 'SUCCESS' ? r.body : false;
      },
      { timeoutMs: 5000, what: 'task result' },
    );
    expect(result).toEqual({ 'task-id': id, state: 'SUCCESS', result: 'succeeded on attempt 1' });
    await waitFor(() => monitor.state.tasks.get(id)?.state === 'SUCCESS', {
      timeoutMs: 5000,
      what: 'history',
    });
    const info = await json(`${url}/api/task/info/${id}`);
    expect(info.body).toMatchObject({ uuid: id, name: 'test.flaky', state: 'SUCCESS', worker: worker.name });
    const tasks = await json(`${url}/api/tasks?taskname=test.flaky&state=SUCCESS&limit=10`);
    expect(Object.keys(tasks.body)).toEqual([id]);
    expect((await json(`${url}/api/task/types`)).body['task-types']).toContain('test.flaky');
    expect((await json(`${url}/api/task/info/unknown-id`)).status).toBe(404);
    const bad = await json(`${url}/api/task/async-apply/no.such.task`, { method: 'POST' });
    expect(bad.status).toBe(404);
  });

  it('grows, shrinks, autoscales and restarts the pool of a worker', async () => {
    const grow = await json(`${url}/api/worker/pool/grow/${worker.name}?n=3`, { method: 'POST' });
    expect(grow).toEqual({ status: 200, body: { message: `Growing '${worker.name}' worker's pool by 3` } });
    expect(worker.concurrency).toBe(5);
    const shrink = await json(`${url}/api/worker/pool/shrink/${worker.name}?n=4`, { method: 'POST' });
    expect(shrink.body.message).toBe(`Shrinking '${worker.name}' worker's pool by 4`);
    expect(worker.concurrency).toBe(1);
    const tooMuch = await json(`${url}/api/worker/pool/shrink/${worker.name}?n=1`, { method: 'POST' });
    expect(tooMuch.status).toBe(403);
    const autoscale = await json(`${url}/api/worker/pool/autoscale/${worker.name}?min=2&max=6`, {
      method: 'POST',
    });
    expect(autoscale.body.message).toBe(`Autoscaling '${worker.name}' worker (min=2, max=6)`);
    expect(worker.concurrency).toBe(2);
    const restart = await json(`${url}/api/worker/pool/restart/${worker.name}`, { method: 'POST' });
    expect(restart.body.message).toBe(`Restarting '${worker.name}' worker's pool`);
    const unknown = await json(`${url}/api/worker/pool/grow/nobody`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    // the monitor sees the new pool size from the heartbeat sent after each command
    await waitFor(() => monitor.state.workers.get(worker.name)?.info?.concurrency === 2, {
      timeoutMs: 5000,
      what: 'monitor to see concurrency 2',
    });
  });

  it('cancels and adds consumers of a queue', async () => {
    const cancel = await json(`${url}/api/worker/queue/cancel-consumer/${worker.name}?queue=exports`, {
      method: 'POST',
    });
    expect(cancel.body.message).toBe('no longer consuming from exports');
    expect(worker.queues).toEqual(['default']);
    const add = await json(`${url}/api/worker/queue/add-consumer/${worker.name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'queue=exports',
    });
    expect(add.body.message).toBe('add consumer exports');
    expect(worker.queues).toEqual(['default', 'exports']);
  });

  it('sets a rate limit and a time limit on a task type of a worker', async () => {
    const rate = await json(`${url}/api/task/rate-limit/noop?workername=${worker.name}&ratelimit=20/m`, {
      method: 'POST',
    });
    expect(rate.body.message).toBe('new rate limit set successfully');
    const timeout = await json(`${url}/api/task/timeout/test.gate?workername=${worker.name}&hard=5&soft=3`, {
      method: 'POST',
    });
    expect(timeout.body.message).toBe('time limits set successfully');
    expect(worker.info().rateLimits).toEqual({ noop: '20/m' });
    expect(worker.info().timeLimits).toEqual({ 'test.gate': { soft: 3, hard: 5 } });
    const badRate = await json(`${url}/api/task/rate-limit/noop?workername=${worker.name}&ratelimit=fast`, {
      method: 'POST',
    });
    expect(badRate.status).toBe(403);
  });

  it('revokes a running task with terminate and reports it REVOKED', async () => {
    const id = await h.client.apply('test.gate', { gate: 'never' });
    await waitFor(() => h.gates.started.includes(id), { timeoutMs: 5000, what: 'task started' });
    const revoke = await json(`${url}/api/task/revoke/${id}?terminate=true`, { method: 'POST' });
    expect(revoke.body).toEqual({ message: `Revoked '${id}'` });
    await waitFor(async () => (await json(`${url}/api/task/result/${id}`)).body.state === 'REVOKED', {
      timeoutMs: 5000,
      what: 'REVOKED state',
    });
    await waitFor(() => monitor.state.tasks.get(id)?.state === 'REVOKED', {
      timeoutMs: 5000,
      what: 'history',
    });
  });

  it('reports queue lengths and the broker state', async () => {
    await json(`${url}/api/worker/queue/cancel-consumer/${worker.name}?queue=exports`, { method: 'POST' });
    await h.client.apply('noop', {}, { queue: 'exports' });
    const { body } = await json(`${url}/api/queues/length`);
    expect(body.active_queues).toEqual(
      expect.arrayContaining([
        { name: 'exports', messages: 1 },
        { name: 'default', messages: 0 },
      ]),
    );
    const broker = await json(`${url}/api/broker`);
    expect(broker.body.redis.connected_clients).toBeGreaterThan(0);
    expect(broker.body.queues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'exports', waiting: 1, active: 0, delayed: 0, failed: 0 }),
      ]),
    );
  });

  it('shuts a worker down', async () => {
    let requested = false;
    const other = await h.startWorker({
      onShutdownRequested: () => {
        requested = true;
        void other.stop();
      },
    });
    await waitFor(() => workerStateIn(monitor, other.name) === 'online', { timeoutMs: 5000, what: 'online' });
    const { body } = await json(`${url}/api/worker/shutdown/${other.name}`, { method: 'POST' });
    expect(body).toEqual({ message: 'Shutting down!' });
    expect(requested).toBe(true);
    await waitFor(() => workerStateIn(monitor, other.name) === 'shutdown', {
      timeoutMs: 5000,
      what: 'offline',
    });
  });

  it('serves the workers page and bull-board', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Workers</h1>');
    const board = await fetch(`${url}/queues/`);
    expect(board.status).toBe(200);
    const queues = await json(`${url}/queues/api/queues`);
    expect(queues.body.queues.map((q: { name: string }) => q.name)).toEqual(
      expect.arrayContaining(['default', 'exports']),
    );
  });
});
