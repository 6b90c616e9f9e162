import type { WorkerInfo } from '@reelwatch/task-worker';
import { workerStatesParam, workerView } from '../../src/api/workers';
import type { WorkerRecord } from '../../src/state';

const info = {
  hostname: 'w1',
  host: 'box',
  pid: 7,
  freq: 2,
  concurrency: 4,
  prefetchMultiplier: 2,
  autoscale: { max: 8, min: 2 },
  queues: ['default'],
  registered: ['noop'],
  activeTasks: [{ id: 'x', name: 'noop', startedAt: 10 }],
  active: 1,
  reserved: 1,
  processed: 3,
  rateLimits: {},
  timeLimits: {},
  total: { noop: 3 },
  startedAt: 100,
  timestamp: 160,
} as WorkerInfo;

function record(overrides: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    hostname: 'w1',
    info,
    lastHeartbeat: 160,
    offlineAt: null,
    freq: 2,
    active: 1,
    processed: 3,
    ...overrides,
  };
}

it("workerView builds Flower's worker dict from the last heartbeat", () => {
  expect(workerView(record(), 161)).toMatchObject({
    active_queues: [{ name: 'default', routing_key: 'default' }],
    active: [{ id: 'x', name: 'noop', time_start: 10, hostname: 'w1' }],
    reserved_count: 1,
    stats: {
      pid: 7,
      hostname: 'box',
      uptime: 60,
      prefetch_count: 8,
      pool: { 'max-concurrency': 4, autoscale: [8, 2] },
    },
    status: true,
    state: 'online',
    offline_since: null,
    heartbeat: { last: 160, freq: 2 },
  });
});

it('workerView shows a shut-down worker with its last pool and no running tasks', () => {
  const view = workerView(record({ offlineAt: 170 }), 500);
  expect(view).toMatchObject({
    status: false,
    state: 'shutdown',
    offline_since: 170,
    active: [],
    reserved_count: 0,
  });
  expect((view.stats as { pool: Record<string, unknown> }).pool['max-concurrency']).toBe(4);
});

it('workerView shows a lost worker offline since its heartbeat expired', () => {
  expect(workerView(record(), 500)).toMatchObject({ status: false, state: 'lost', offline_since: 164 });
});

it('workerStatesParam reads ?offline=false and ?state= and rejects anything else', () => {
  expect(workerStatesParam(undefined, undefined)).toBeUndefined();
  expect(workerStatesParam('true', undefined)).toBeUndefined();
  expect(workerStatesParam('false', undefined)).toEqual(['online']);
  expect(workerStatesParam(undefined, 'lost,shutdown')).toEqual(['lost', 'shutdown']);
  expect(workerStatesParam('false', 'lost')).toEqual([]);
  expect(() => workerStatesParam(undefined, 'dead')).toThrow("'state' must be a comma-separated list");
  expect(() => workerStatesParam('maybe', undefined)).toThrow("'offline' must be true or false");
});
