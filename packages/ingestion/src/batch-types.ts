import type { EventType, ParseResult } from './parse-event-line';

/** One consumed message, already parsed (parsing happens outside the transaction). */
export interface ParsedMessage {
  offset: string;
  rawText: string;
  parsed: ParseResult;
}

/** First and last offset of a batch and its message count. */
export interface OffsetSpan {
  first: bigint;
  last: bigint;
  count: number;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: ParsedMessage[];
  /**
   * The batch may start after stored offset + 1 without being treated as a gap: set when the
   * broker no longer has the missing offsets (retention), so skipping them is the only option.
   */
  acceptGap?: boolean;
  /**
   * First and last offset and the message count, when the batch knows them without building
   * `messages` (PackedBatch); otherwise they are read from `messages`.
   */
  readonly span?: OffsetSpan;
}

/** What one partition's batches did in a writeMany: offset stored after the call, events applied, or the gap. */
export interface PartitionWrite {
  lastOffset: bigint;
  applied: number;
  gapResumeAt?: bigint;
}

export type TypeCounts = Record<EventType | 'malformed', number>;

export interface WriteResult {
  /** Messages applied in this transaction (events and dead letters). */
  applied: number;
  /** Messages skipped because their offset was already applied (a replay). */
  duplicates: number;
  /** Per type counts of what was applied, dead letters as `malformed`. */
  appliedByType: TypeCounts;
  duplicatesByType: TypeCounts;
  deadLetters: ReadonlyMap<string, number>;
  newUsers: number;
  newMovies: number;
  /** Offset stored in the database after this call (-1: nothing ever applied). */
  lastOffset: bigint;
  /** Set when the batch starts after stored offset + 1: nothing written, the caller must seek here. */
  gapResumeAt?: bigint;
  /** Per partition of a writeMany. */
  partitions: Map<number, PartitionWrite>;
  transactionSeconds: number;
}

/** First and last offset and count of a batch, or undefined for an empty one. */
export function spanOf(b: PartitionBatch): OffsetSpan | undefined {
  if (b.span) return b.span;
  const n = b.messages.length;
  if (n === 0) return undefined;
  return { first: BigInt(b.messages[0]!.offset), last: BigInt(b.messages[n - 1]!.offset), count: n };
}

export const emptyCounts = (): TypeCounts => ({ watch: 0, rate: 0, recommend: 0, malformed: 0 });

export const typeOf = (m: ParsedMessage): EventType | 'malformed' =>
  m.parsed.ok ? m.parsed.event.type : 'malformed';

/** A result that applied nothing yet. */
export function emptyWriteResult(): WriteResult {
  return {
    applied: 0,
    duplicates: 0,
    appliedByType: emptyCounts(),
    duplicatesByType: emptyCounts(),
    deadLetters: new Map(),
    newUsers: 0,
    newMovies: 0,
    lastOffset: -1n,
    transactionSeconds: 0,
    partitions: new Map(),
  };
}
