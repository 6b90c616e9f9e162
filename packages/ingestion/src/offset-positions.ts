import type { WriteResult } from './batch-types';

/** A partition's offsets on the broker: the next offset to be written and the oldest one kept. */
export interface Watermark {
  high: bigint;
  low: bigint;
}
export type Watermarks = Map<number, Watermark>;

/** The broker's offsets of the topic (kafkajs Admin.fetchTopicOffsets), or undefined when not connected. */
export type FetchTopicOffsets = () =>
  | Promise<Array<{ partition: number; high: string; low: string }>>
  | undefined;

export interface OffsetPositionsOptions {
  topic: string;
  /** How long a watermark lookup for the lag metric is reused. */
  lagCacheMs: number;
  fetchTopicOffsets: FetchTopicOffsets;
  now?: () => number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * Positions, offsets and lag: the next offset to apply per assigned partition (stored offset + 1,
 * what PostgreSQL says), the broker's watermarks, and the lag between them.
 */
export class OffsetPositions {
  private readonly positions = new Map<number, bigint>();
  private assigned = new Set<number>();
  private cached: { at: number; offsets: Watermarks } | undefined;
  private readonly now: () => number;

  constructor(private readonly o: OffsetPositionsOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A new assignment: positions of partitions no longer ours are forgotten. */
  assign(partitions: number[]): void {
    this.assigned = new Set(partitions);
    for (const p of [...this.positions.keys()]) if (!this.assigned.has(p)) this.positions.delete(p);
  }

  isAssigned(partition: number): boolean {
    return this.assigned.has(partition);
  }

  /** Records the next offset to apply; ignored for a partition not (or no longer) assigned. */
  advance(partition: number, next: bigint): void {
    if (this.assigned.has(partition)) this.positions.set(partition, next);
  }

  /** The next offset to apply, if known. */
  next(partition: number): bigint | undefined {
    return this.positions.get(partition);
  }

  /** The broker's watermarks, reused for lagCacheMs unless `fresh`. */
  async watermarks(fresh = false): Promise<Watermarks> {
    const cached = this.cached;
    if (!fresh && cached && this.now() - cached.at < this.o.lagCacheMs) return cached.offsets;
    const fetching = this.o.fetchTopicOffsets();
    if (!fetching) return new Map();
    const offsets = await fetching;
    const map: Watermarks = new Map(
      offsets.map((o) => [o.partition, { high: BigInt(o.high), low: BigInt(o.low) }]),
    );
    this.cached = { at: this.now(), offsets: map };
    return map;
  }

  /** Lag per assigned partition: high watermark - next offset to apply (never negative). */
  async lag(): Promise<PartitionLag[]> {
    if (this.positions.size === 0) return [];
    const marks = await this.watermarks();
    const out: PartitionLag[] = [];
    for (const [partition, position] of this.positions) {
      const mark = marks.get(partition);
      if (!mark) continue;
      const lag = mark.high - position;
      out.push({ topic: this.o.topic, partition, lag: Number(lag > 0n ? lag : 0n) });
    }
    return out.sort((a, b) => a.partition - b.partition);
  }
}

/**
 * Where each partition continues after a join: stored offset + 1; where nothing was ever applied,
 * the broker's oldest offset (a fresh or restored database re-reads what the broker still has), or
 * nowhere (Kafka's committed offset decides) when not reading from the beginning.
 */
export function resumeOffsets(
  stored: Map<number, bigint>,
  marks: Watermarks | undefined,
  fromBeginning: boolean,
): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const [partition, last] of stored) {
    if (last >= 0n) out.set(partition, last + 1n);
    else if (fromBeginning) out.set(partition, marks?.get(partition)?.low ?? 0n);
  }
  return out;
}

/** What to do about partitions whose batches started after stored offset + 1. */
export interface GapDecision {
  /** The missing offsets are still on the broker: seek back to `resumeAt`. */
  seekBack: Array<{ partition: number; resumeAt: bigint }>;
  /** The missing offsets are gone (retention): skipping them, `from` up to `to`, is all that is left. */
  skip: Array<{ partition: number; from: bigint; to: bigint }>;
}

/** True when a write left some partition out because of a gap. */
export function hasGaps(result: WriteResult): boolean {
  for (const state of result.partitions.values()) if (state.gapResumeAt !== undefined) return true;
  return false;
}

export function decideGaps(result: WriteResult, marks: Watermarks): GapDecision {
  const decision: GapDecision = { seekBack: [], skip: [] };
  for (const [partition, state] of result.partitions) {
    const resumeAt = state.gapResumeAt;
    if (resumeAt === undefined) continue;
    const low = marks.get(partition)?.low ?? 0n;
    if (low > resumeAt) decision.skip.push({ partition, from: resumeAt, to: low });
    else decision.seekBack.push({ partition, resumeAt });
  }
  return decision;
}
