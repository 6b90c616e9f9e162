import type { WorkerEvent, WorkerInfo } from '@reelwatch/task-worker';
import { MonitorState } from '../src/state';
import { offlineSince, parseAnnouncement, workerFromRedis, workerState } from '../src/worker-state';

const info = (timestamp: number) =>
  ({
    hostname: 'w1',
    host: 'box',
    pid: 7,
    freq: 2,
    concurrency: 4,
    prefetchMultiplier: 1,
    autoscale: null,
    queues: ['default'],
    active: 0,
    reserved: 0,
    processed: 0,
    total: {},
    registered: [],
    rateLimits: {},
    timeLimits: {},
    activeTasks: [],
    startedAt: 100,
    timestamp,
  }) as WorkerInfo;

function event(type: WorkerEvent['type'], timestamp: number): WorkerEvent {
  return { type, hostname: 'w1', timestamp, freq: 2, active: 0, processed: 0, info: info(timestamp) };
}

function applied(...events: WorkerEvent[]): MonitorState {
  const state = new MonitorState(100);
  for (const e of events) state.apply(e, { updated: new Set(), evicted: [] });
  return state;
}

describe('workerState', () => {
  it('is online until 2 heartbeat periods pass, then lost', () => {
    const w = applied(event('worker-online', 100), event('worker-heartbeat', 102)).workers.get('w1')!;
    expect(workerState(w, 105.9)).toBe('online');
    expect(workerState(w, 106.1)).toBe('lost');
    expect(offlineSince(w, 106.1)).toBe(106);
  });

  it('is shutdown after a goodbye, however long ago, and never lost', () => {
    const w = applied(event('worker-online', 100), event('worker-offline', 101)).workers.get('w1')!;
    expect(workerState(w, 101)).toBe('shutdown');
    expect(workerState(w, 100_000)).toBe('shutdown');
    expect(offlineSince(w, 100_000)).toBe(101);
  });

  it('stays shutdown when older heartbeats are replayed after the goodbye', () => {
    const state = applied(
      event('worker-heartbeat', 100),
      event('worker-offline', 103),
      event('worker-heartbeat', 102),
    );
    expect(workerState(state.workers.get('w1')!, 103)).toBe('shutdown');
  });

  it('is online again when a worker of the same name comes back after its goodbye', () => {
    const state = applied(
      event('worker-online', 100),
      event('worker-offline', 101),
      event('worker-online', 200),
    );
    expect(workerState(state.workers.get('w1')!, 201)).toBe('online');
  });

  it('skips a worker event without an announcement for a worker never seen', () => {
    const state = applied({
      type: 'worker-heartbeat',
      hostname: 'w1',
      timestamp: 1,
      freq: 2,
      active: 0,
      processed: 0,
    });
    expect(state.workers.size).toBe(0);
  });
});

describe('workers restored from Redis', () => {
  it('a previous run that said goodbye is shutdown; one without a goodbye is lost', () => {
    expect(workerState(workerFromRedis(info(100), 100_000, 100_500), 5000)).toBe('shutdown');
    expect(workerState(workerFromRedis(info(100), 100_000, null), 5000)).toBe('lost');
  });

  it('a goodbye older than the last heartbeat (restarted under the same name) does not count', () => {
    expect(workerState(workerFromRedis(info(300), 300_000, 100_000), 301)).toBe('online');
  });

  it('parseAnnouncement rejects what is not an announcement', () => {
    expect(parseAnnouncement(JSON.stringify(info(1)))?.concurrency).toBe(4);
    expect(parseAnnouncement('{"hostname":"w1"}')).toBeNull();
    expect(parseAnnouncement('not json')).toBeNull();
    expect(parseAnnouncement(null)).toBeNull();
  });
});

describe('MonitorState.purge', () => {
  it('forgets offline workers after the delay, counted from the goodbye or the heartbeat expiry', () => {
    const state = applied(event('worker-online', 100), event('worker-offline', 101));
    state.loadWorker({ ...workerFromRedis({ ...info(100), hostname: 'w2' }, 100_000, null) });
    state.loadWorker({ ...workerFromRedis({ ...info(1000), hostname: 'w3' }, 1_000_000, null) });
    expect(state.purge(160, 60)).toEqual([]);
    // w1: shut down at 101; w2: lost since 104; w3: online until 1004
    expect(state.purge(162, 60)).toEqual(['w1']);
    expect(state.purge(165, 60)).toEqual(['w2']);
    expect(state.listWorkers().map((w) => w.hostname)).toEqual(['w3']);
  });
});

describe('announcements from anything that can write to Redis', () => {
  it('keeps a worker whose announcement lacks lists or numbers, with empty values, and drops one without its identity', () => {
    const info = parseAnnouncement(
      JSON.stringify({
        hostname: 'w@old',
        concurrency: 2,
        freq: 2,
        timestamp: 100,
        autoscale: { min: '<b>', max: 3 },
      }),
    );
    expect(info).toMatchObject({
      hostname: 'w@old',
      queues: [],
      registered: [],
      autoscale: null,
      active: 0,
      startedAt: 100,
    });
    expect(parseAnnouncement(JSON.stringify({ concurrency: 2, freq: 2, timestamp: 1 }))).toBeNull();
    expect(parseAnnouncement('not json')).toBeNull();
  });
});
