import type { WorkerInfo } from '@reelwatch/task-worker';
import { workerView } from '../../src/api/workers';
import type { WorkerRecord } from '../../src/state';

it("workerView builds Flower's worker dict from the last heartbeat", () => {
  const info = {
    hostname: 'w1',
    host: 'box',
    pid: 7,
    concurrency: 4,
    prefetchMultiplier: 2,
    autoscale: { max: 8, min: 2 },
    queues: ['default'],
    registered: ['noop'],
    activeTasks: [{ id: 'x', name: 'noop', startedAt: 10 }],
    reserved: 1,
    rateLimits: {},
    timeLimits: {},
    total: { noop: 3 },
    startedAt: 100,
    timestamp: 160,
  } as unknown as WorkerInfo;
  const view = workerView({
    hostname: 'w1',
    online: true,
    lastHeartbeat: 160,
    freq: 2,
    info,
  } as WorkerRecord);
  expect(view).toMatchObject({
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
    heartbeat: { last: 160, freq: 2 },
  });
});
