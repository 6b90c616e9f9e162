import { BatchAggregator } from '../src/batch-aggregator';
import type { ParsedMessage, PartitionBatch } from '../src/batch-types';
import { continuesStoredOffsets, planWrite, statementGuardOf } from '../src/offset-guard';
import { parseEventLine } from '../src/parse-event-line';

const LINE = '2026-01-01T00:00:00Z,1,GET /rate/x=3';
const message = (offset: number, line = LINE): ParsedMessage => ({
  offset: String(offset),
  rawText: line,
  parsed: parseEventLine(line),
});
/** A batch of `partition` holding offsets from..to. */
const batch = (partition: number, from: number, to: number, acceptGap = false): PartitionBatch => ({
  topic: 't',
  partition,
  messages: Array.from({ length: to - from + 1 }, (_, i) => message(from + i)),
  ...(acceptGap ? { acceptGap } : {}),
});
const aggregateOf = (batches: PartitionBatch[]): BatchAggregator => {
  const a = new BatchAggregator();
  for (const b of batches)
    for (const m of b.messages) a.addParsed(m.parsed, b.partition, m.offset, m.rawText);
  return a;
};

test('continuesStoredOffsets is true only when each partition continues at stored offset + 1 without holes', () => {
  const stored = new Map([
    [0, 9n],
    [1, -1n],
  ]);
  expect(continuesStoredOffsets([batch(0, 10, 12), batch(1, 0, 4), batch(0, 13, 20)], stored)).toBe(true);
  expect(continuesStoredOffsets([batch(0, 11, 12)], stored)).toBe(false); // a gap
  expect(continuesStoredOffsets([batch(0, 9, 12)], stored)).toBe(false); // a replay
  expect(continuesStoredOffsets([batch(0, 10, 12), batch(0, 14, 15)], stored)).toBe(false); // a seek between
  expect(continuesStoredOffsets([batch(0, 10, 12, true)], stored)).toBe(false); // gap accepted: checked one by one
});

test('planWrite uses the aggregate built on arrival when the batches continue the stored offsets', () => {
  const batches = [batch(0, 5, 9), batch(1, 0, 2)];
  const pre = aggregateOf(batches);
  const plan = planWrite(
    batches,
    new Map([
      [0, 4n],
      [1, -1n],
    ]),
    pre,
  );
  expect(plan.aggregate).toBe(pre);
  expect([...plan.newOffsets]).toEqual([
    [0, 9n],
    [1, 2n],
  ]);
  expect(plan.result.applied).toBe(8);
  expect(plan.result.appliedByType.rate).toBe(8);
});

test('planWrite drops a replay message by message and counts it as duplicates', () => {
  const batches = [batch(0, 3, 9)];
  const pre = aggregateOf(batches);
  const plan = planWrite(batches, new Map([[0, 6n]]), pre);
  expect(plan.aggregate).not.toBe(pre);
  expect(plan.result.duplicates).toBe(4);
  expect(plan.result.duplicatesByType.rate).toBe(4);
  expect(plan.result.applied).toBe(3);
  expect(plan.aggregate.eventCounts.rate).toBe(3);
  expect([...plan.newOffsets]).toEqual([[0, 9n]]);
});

test('planWrite leaves out a partition whose batch starts after stored offset + 1 and reports where to resume', () => {
  const plan = planWrite(
    [batch(0, 8, 9), batch(1, 0, 1)],
    new Map([
      [0, 4n],
      [1, -1n],
    ]),
  );
  expect(plan.result.partitions.get(0)).toEqual({ lastOffset: 4n, applied: 0, gapResumeAt: 5n });
  expect([...plan.newOffsets]).toEqual([[1, 1n]]);
  expect(plan.result.applied).toBe(2);
});

test('planWrite applies a batch after a gap when the gap is accepted (the offsets are gone from the broker)', () => {
  const plan = planWrite([batch(0, 8, 9, true)], new Map([[0, 4n]]));
  expect(plan.result.partitions.get(0)).toEqual({ lastOffset: 9n, applied: 2 });
  expect([...plan.newOffsets]).toEqual([[0, 9n]]);
});

test('planWrite of nothing but replays plans no write', () => {
  const plan = planWrite([batch(0, 0, 3)], new Map([[0, 3n]]));
  expect(plan.newOffsets.size).toBe(0);
  expect(plan.result.duplicates).toBe(4);
});

test('statementGuardOf gives, per partition in order, the offset its row must hold and the new last offset', () => {
  const guard = statementGuardOf([batch(3, 10, 12), batch(1, 0, 4), batch(3, 13, 14)]);
  expect(guard?.partitions).toEqual([1, 3]);
  expect(guard?.prev).toEqual(['-1', '9']);
  expect([...(guard?.last ?? [])]).toEqual([
    [3, 14n],
    [1, 4n],
  ]);
  expect(guard?.applied.get(3)).toBe(5);
});

test('statementGuardOf refuses batches that do not continue each other, are empty or accept a gap', () => {
  expect(statementGuardOf([batch(0, 0, 2), batch(0, 4, 5)])).toBeUndefined();
  expect(statementGuardOf([{ topic: 't', partition: 0, messages: [] }])).toBeUndefined();
  expect(statementGuardOf([batch(0, 5, 6, true)])).toBeUndefined();
});
