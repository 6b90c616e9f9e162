import type { WriteResult } from '../src/batch-types';
import { emptyWriteResult } from '../src/batch-types';
import {
  decideGaps,
  hasGaps,
  OffsetPositions,
  resumeOffsets,
  type Watermarks,
} from '../src/offset-positions';

/** A broker whose watermarks the test sets, counting lookups. */
function fakeBroker(marks: Record<number, [high: number, low: number]>) {
  const broker = {
    lookups: 0,
    marks,
    fetch: () => {
      broker.lookups++;
      return Promise.resolve(
        Object.entries(broker.marks).map(([p, [high, low]]) => ({
          partition: Number(p),
          high: String(high),
          low: String(low),
        })),
      );
    },
  };
  return broker;
}

test('lag is the high watermark minus the next offset to apply, per assigned partition, never negative', async () => {
  const broker = fakeBroker({ 0: [100, 0], 1: [50, 0], 2: [10, 0] });
  const positions = new OffsetPositions({ topic: 't', lagCacheMs: 0, fetchTopicOffsets: broker.fetch });
  positions.assign([0, 1, 2]);
  positions.advance(0, 40n);
  positions.advance(1, 50n);
  positions.advance(2, 12n);
  expect(await positions.lag()).toEqual([
    { topic: 't', partition: 0, lag: 60 },
    { topic: 't', partition: 1, lag: 0 },
    { topic: 't', partition: 2, lag: 0 },
  ]);
});

test('lag is empty, without asking the broker, while no position is known', async () => {
  const broker = fakeBroker({ 0: [100, 0] });
  const positions = new OffsetPositions({ topic: 't', lagCacheMs: 0, fetchTopicOffsets: broker.fetch });
  expect(await positions.lag()).toEqual([]);
  expect(broker.lookups).toBe(0);
});

test('a partition not assigned, or revoked by a new assignment, has no position and no lag', async () => {
  const broker = fakeBroker({ 0: [10, 0], 1: [10, 0] });
  const positions = new OffsetPositions({ topic: 't', lagCacheMs: 0, fetchTopicOffsets: broker.fetch });
  positions.assign([0, 1]);
  positions.advance(0, 5n);
  positions.advance(1, 5n);
  positions.advance(7, 5n);
  positions.assign([1]);
  expect(positions.next(0)).toBeUndefined();
  expect(positions.next(7)).toBeUndefined();
  expect(positions.isAssigned(1)).toBe(true);
  expect((await positions.lag()).map((l) => l.partition)).toEqual([1]);
});

test('watermarks are reused for lagCacheMs, unless fresh ones are asked for', async () => {
  const broker = fakeBroker({ 0: [10, 0] });
  let now = 1_000;
  const positions = new OffsetPositions({
    topic: 't',
    lagCacheMs: 2_000,
    fetchTopicOffsets: broker.fetch,
    now: () => now,
  });
  await positions.watermarks();
  await positions.watermarks();
  expect(broker.lookups).toBe(1);
  await positions.watermarks(true);
  expect(broker.lookups).toBe(2);
  broker.marks = { 0: [20, 0] };
  now += 2_000;
  expect((await positions.watermarks()).get(0)).toEqual({ high: 20n, low: 0n });
  expect(broker.lookups).toBe(3);
});

test('watermarks are empty while not connected to the broker', async () => {
  const positions = new OffsetPositions({ topic: 't', lagCacheMs: 0, fetchTopicOffsets: () => undefined });
  expect((await positions.watermarks(true)).size).toBe(0);
});

test('resumeOffsets continues at stored offset + 1, and where nothing was applied at the oldest offset the broker has', () => {
  const stored = new Map([
    [0, 41n],
    [1, -1n],
    [2, -1n],
  ]);
  const marks: Watermarks = new Map([[1, { high: 90n, low: 30n }]]);
  expect([...resumeOffsets(stored, marks, true)]).toEqual([
    [0, 42n],
    [1, 30n],
    [2, 0n],
  ]);
  // Not from the beginning: Kafka's committed offset decides for a partition never applied.
  expect([...resumeOffsets(stored, marks, false)]).toEqual([[0, 42n]]);
});

test('decideGaps seeks back while the broker still has the missing offsets and skips them once they are gone', () => {
  const result: WriteResult = emptyWriteResult();
  result.partitions.set(0, { lastOffset: 9n, applied: 0, gapResumeAt: 10n });
  result.partitions.set(1, { lastOffset: 9n, applied: 0, gapResumeAt: 10n });
  result.partitions.set(2, { lastOffset: 5n, applied: 3 });
  expect(hasGaps(result)).toBe(true);
  const marks: Watermarks = new Map([
    [0, { high: 100n, low: 10n }],
    [1, { high: 100n, low: 25n }],
  ]);
  expect(decideGaps(result, marks)).toEqual({
    seekBack: [{ partition: 0, resumeAt: 10n }],
    skip: [{ partition: 1, from: 10n, to: 25n }],
  });
});

test('hasGaps is false for a write that left no partition out', () => {
  const result = emptyWriteResult();
  result.partitions.set(0, { lastOffset: 5n, applied: 3 });
  expect(hasGaps(result)).toBe(false);
});
