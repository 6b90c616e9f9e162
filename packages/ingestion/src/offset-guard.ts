import { BatchAggregator } from './batch-aggregator';
import {
  emptyWriteResult,
  type ParsedMessage,
  type PartitionBatch,
  spanOf,
  typeOf,
  type WriteResult,
} from './batch-types';
import type { WritableAggregate } from './write-statement';

/**
 * The offset guard, as pure decisions on offsets: which messages of the batches a transaction
 * applies, given the offsets stored in `ingestion_offsets` (locked by the caller). Messages at or
 * below the stored offset are replays and dropped; a batch starting after stored offset + 1 is a
 * gap and left out (unless its gap is accepted).
 */

/** What a transaction writes: the aggregate, the new last offset per partition, and the result so far. */
export interface WritePlan {
  aggregate: WritableAggregate;
  /** Empty: nothing to write (all replays or gaps). */
  newOffsets: Map<number, bigint>;
  result: WriteResult;
}

/**
 * True when, for every partition, the first batch starts at stored offset + 1 and each next batch
 * right after the previous one: nothing is a replay and nothing is missing.
 */
export function continuesStoredOffsets(batches: PartitionBatch[], stored: Map<number, bigint>): boolean {
  const expected = new Map<number, bigint>();
  for (const b of batches) {
    const span = spanOf(b);
    if (!span || b.acceptGap) return false;
    const next = expected.get(b.partition) ?? stored.get(b.partition)! + 1n;
    if (span.first !== next) return false;
    expected.set(b.partition, span.last + 1n);
  }
  return true;
}

/**
 * The plan for batches checked against `stored`: the aggregate built while they arrived when they
 * continue the stored offsets exactly, else one rebuilt message by message against the guard.
 */
export function planWrite(
  batches: PartitionBatch[],
  stored: Map<number, bigint>,
  preAggregated?: WritableAggregate,
): WritePlan {
  if (preAggregated && continuesStoredOffsets(batches, stored))
    return planPreAggregated(batches, preAggregated);
  return planMessageByMessage(batches, stored);
}

/** The common case: the aggregate built while the batches arrived is exactly what must be applied. */
function planPreAggregated(batches: PartitionBatch[], aggregate: WritableAggregate): WritePlan {
  const result = emptyWriteResult();
  const newOffsets = new Map<number, bigint>();
  for (const batch of batches) {
    const { last, count } = spanOf(batch)!;
    const state = result.partitions.get(batch.partition) ?? { lastOffset: last, applied: 0 };
    state.lastOffset = last;
    state.applied += count;
    result.partitions.set(batch.partition, state);
    newOffsets.set(batch.partition, last);
    result.applied += count;
  }
  result.appliedByType.watch = aggregate.eventCounts.watch;
  result.appliedByType.rate = aggregate.eventCounts.rate;
  result.appliedByType.recommend = aggregate.eventCounts.recommend;
  result.appliedByType.malformed = aggregate.deadLetterTotal;
  return { aggregate, newOffsets, result };
}

/** A replay, a gap, a seek between batches: message by message against the guard. */
function planMessageByMessage(batches: PartitionBatch[], stored: Map<number, bigint>): WritePlan {
  const result = emptyWriteResult();
  const rebuilt = new BatchAggregator();
  const newOffsets = new Map<number, bigint>();
  for (const batch of batches) {
    const floor = newOffsets.get(batch.partition) ?? stored.get(batch.partition)!;
    const state = result.partitions.get(batch.partition) ?? { lastOffset: floor, applied: 0 };
    result.partitions.set(batch.partition, state);
    if (state.gapResumeAt !== undefined) continue;
    const fresh = dropReplays(batch.messages, floor, result);
    const first = fresh[0];
    if (!first) continue;
    if (BigInt(first.offset) > floor + 1n && !batch.acceptGap) {
      state.gapResumeAt = floor + 1n;
      continue;
    }
    for (const m of fresh) {
      rebuilt.addParsed(m.parsed, batch.partition, m.offset, m.rawText);
      result.appliedByType[typeOf(m)]++;
    }
    const last = BigInt(fresh[fresh.length - 1]!.offset);
    newOffsets.set(batch.partition, last);
    state.lastOffset = last;
    state.applied += fresh.length;
    result.applied += fresh.length;
  }
  return { aggregate: rebuilt, newOffsets, result };
}

/**
 * The messages above `floor`, the others counted as duplicates. Offsets increase within a batch:
 * compare its ends, and only a batch straddling the stored offset (a partial replay) is split.
 */
function dropReplays(msgs: ParsedMessage[], floor: bigint, result: WriteResult): ParsedMessage[] {
  if (msgs.length === 0 || BigInt(msgs[0]!.offset) > floor) return msgs;
  const fresh: ParsedMessage[] = [];
  for (const m of msgs) {
    if (BigInt(m.offset) <= floor) {
      result.duplicates++;
      result.duplicatesByType[typeOf(m)]++;
    } else {
      fresh.push(m);
    }
  }
  return fresh;
}

/** The guard the statement checks itself when it runs alone (see BatchWriter.writeAlone). */
export interface StatementGuard {
  /** Partitions in ascending order. */
  partitions: number[];
  /** Per partition (same order), the offset its row must still hold: the batches' first - 1. */
  prev: string[];
  /** New last offset per partition. */
  last: Map<number, bigint>;
  /** Messages applied per partition if the guard holds. */
  applied: Map<number, number>;
}

/**
 * The guard for batches that continue each other per partition, or undefined when they do not
 * (or one is empty or accepts a gap): then only the locked, message-by-message path may write them.
 */
export function statementGuardOf(batches: PartitionBatch[]): StatementGuard | undefined {
  const prev = new Map<number, bigint>();
  const last = new Map<number, bigint>();
  const applied = new Map<number, number>();
  for (const b of batches) {
    const span = spanOf(b);
    if (!span || b.acceptGap) return undefined;
    const expected = last.get(b.partition);
    if (expected === undefined) prev.set(b.partition, span.first - 1n);
    else if (span.first !== expected + 1n) return undefined;
    last.set(b.partition, span.last);
    applied.set(b.partition, (applied.get(b.partition) ?? 0) + span.count);
  }
  const partitions = [...prev.keys()].sort((x, y) => x - y);
  return { partitions, prev: partitions.map((p) => String(prev.get(p)!)), last, applied };
}
