import type { Redis } from 'ioredis';
import pino from 'pino';
import { EventPublisher } from '../src/event-publisher';
import {
  decodeStreamEntry,
  type ReelwatchTaskEvent,
  type TaskEventFields,
  type TaskEventType,
} from '../src/protocol';

/** A Redis stand-in that keeps what XADD was given. */
function capturingRedis(): { redis: Redis; entries: string[][] } {
  const entries: string[][] = [];
  const redis = {
    xadd: async (...args: string[]) => {
      entries.push(args.slice(args.indexOf('*') + 1));
      return '0-1';
    },
  } as unknown as Redis;
  return { redis, entries };
}

describe('the compact event encoding', () => {
  it("writes the worker's received, started and succeeded events exactly as the generic encoding does", async () => {
    const publishers = [capturingRedis(), capturingRedis()].map(({ redis, entries }) => ({
      entries,
      publisher: new EventPublisher({
        redis,
        stream: 's',
        hostname: 'worker@h-1',
        maxLen: 100,
        logger: pino({ level: 'silent' }),
      }),
    }));
    const [fast, generic] = publishers as [(typeof publishers)[0], (typeof publishers)[0]];
    const now = Date.now();
    fast.publisher.received('a', 'noop', now / 1000, 'default', '{}', 0, null);
    fast.publisher.received('b', 'noop', (now + 1) / 1000, 'q2', '{"x":1}', 2, (now + 60_000) / 1000);
    fast.publisher.started('a', 'noop', (now + 2) / 1000, 0.002, 12.345);
    fast.publisher.started('b', 'noop', 1_763_000_000.123_456_7, 0.000_123_4, 0);
    fast.publisher.succeeded('a', 'noop', (now + 3) / 1000, 0.001, 'null');
    fast.publisher.succeeded('b', 'noop', (now + 4) / 1000, 0.000_01, '"ok"');
    const g = generic.publisher;
    g.task('task-received', 'a', 'noop', now / 1000, { args: '{}', retries: 0, eta: null }, 'default');
    g.task(
      'task-received',
      'b',
      'noop',
      (now + 1) / 1000,
      { args: '{"x":1}', retries: 2, eta: (now + 60_000) / 1000 },
      'q2',
    );
    g.task('task-started', 'a', 'noop', (now + 2) / 1000, { prefetch_time: 0.002, wait_time: 12.345 });
    g.task('task-started', 'b', 'noop', 1_763_000_000.123_456_7, {
      prefetch_time: 0.000_123_4,
      wait_time: 0,
    });
    g.task('task-succeeded', 'a', 'noop', (now + 3) / 1000, { runtime: 0.001, result: 'null' });
    g.task('task-succeeded', 'b', 'noop', (now + 4) / 1000, { runtime: 0.000_01, result: '"ok"' });
    await Promise.all([fast.publisher.flush(), g.flush()]);
    expect(fast.entries).toHaveLength(1);
    expect(fast.entries).toEqual(generic.entries);
  });

  it('decodes to exactly the events the worker published, in each task its order', async () => {
    const { redis, entries } = capturingRedis();
    const publisher = new EventPublisher({
      redis,
      stream: 's',
      hostname: 'worker@h-1',
      maxLen: 100,
      logger: pino({ level: 'silent' }),
    });
    const now = Date.now();
    const published: [TaskEventType, string, string, number, TaskEventFields | undefined, string?][] = [
      ['task-received', 'a', 'noop', now / 1000, { args: '{}', retries: 0, eta: null }, 'default'],
      [
        'task-received',
        'b',
        'ratings.refresh',
        (now + 1) / 1000,
        { args: '{"movieId":1}', retries: 2, eta: (now + 60_000) / 1000 },
        'default',
      ],
      ['task-started', 'a', 'noop', (now + 2) / 1000, { prefetch_time: 0.002, wait_time: 12.345 }],
      ['task-succeeded', 'a', 'noop', (now + 3) / 1000, { runtime: 0.001, result: 'null' }],
      [
        'task-started',
        'b',
        'ratings.refresh',
        1_763_000_000.123_456_7,
        { prefetch_time: 0.000_123_4, wait_time: 0 },
      ],
      [
        'task-retried',
        'b',
        'ratings.refresh',
        (now + 5) / 1000,
        { runtime: 1.5, exception: 'Error: x', traceback: 'Error: x\n  at y' },
      ],
      ['task-failed', 'c', 'nope', (now - 7) / 1000, { exception: "NotRegistered('nope')" }, 'exports'],
      ['task-revoked', 'd', 'noop', (now + 9) / 1000, { terminated: true, expired: false, runtime: 0.25 }],
      ['task-revoked', 'e', 'noop', (now + 9) / 1000, { terminated: false, expired: false }],
      ['task-succeeded', 'f', 'noop', (now + 10) / 1000, { result: '1', prefetch_time: 0.5 }],
      ['task-started', 'g', 'noop', (now + 11) / 1000, undefined],
    ];
    for (const [type, uuid, name, timestamp, fields, queue] of published)
      publisher.task(type, uuid, name, timestamp, fields, queue);
    await publisher.flush();
    expect(entries).toHaveLength(1);
    expect(entries[0]![0]).toBe('c');
    const decoded = decodeStreamEntry(entries[0]!);
    const queues: Record<string, string> = { a: 'default', b: 'default', c: 'exports' };
    const expected: ReelwatchTaskEvent[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].flatMap((id) =>
      published
        .filter((p) => p[1] === id)
        .map(([type, uuid, name, timestamp, fields]) => ({
          type,
          uuid,
          name,
          hostname: 'worker@h-1',
          timestamp,
          ...(queues[uuid] ? { queue: queues[uuid] } : {}),
          ...fields,
        })),
    );
    expect(decoded).toEqual(expected);
  });
});
