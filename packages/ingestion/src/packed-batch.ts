import type { ParsedMessage, PartitionBatch } from './batch-types';
import { type ParseResult, parseEventLine } from './parse-event-line';

/**
 * A polled partition batch waiting for its transaction, kept compactly: the message values copied
 * into one buffer and the offsets in one typed array. Its events already went into the group's
 * running aggregate when it arrived, so nothing per message has to stay alive until the commit
 * (surviving per-message objects made garbage collection the largest cost). The per-message view
 * (`messages`: text and parse result) is built only if the writer needs it message by message (a
 * replay, a gap).
 */
export class PackedBatch implements PartitionBatch {
  readonly span: { first: bigint; last: bigint; count: number };
  acceptGap?: boolean;
  /** The batch ended at the partition's high watermark when it was polled (no backlog behind it). */
  caughtUp = false;
  private view: ParsedMessage[] | undefined;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    /** Offsets as numbers when every one is a safe integer (always, in practice), else as text. */
    private readonly offsets: Float64Array | string[],
    private readonly bytes: Buffer,
    /** End of each value in `bytes`; -1 marks a null value (it starts where the previous ended). */
    private readonly ends: Int32Array,
    /** When the batch was polled (process.hrtime), for the batch duration metric. */
    readonly started: bigint,
  ) {
    const count = ends.length;
    this.span = { first: BigInt(this.offsetAt(0)), last: BigInt(this.offsetAt(count - 1)), count };
  }

  /**
   * Copies a kafkajs batch's offsets and values (at least one message) into shared memory, so an
   * aggregation thread can read them without another copy.
   */
  static of(
    topic: string,
    partition: number,
    messages: ReadonlyArray<{ offset: string; value: Buffer | null }>,
    started: bigint,
  ): PackedBatch {
    const n = messages.length;
    let total = 0;
    let safe = true;
    const numeric = new Float64Array(new SharedArrayBuffer(8 * n));
    for (let i = 0; i < n; i++) {
      const m = messages[i]!;
      total += m.value === null ? 0 : m.value.length;
      const o = +m.offset;
      numeric[i] = o;
      if (!Number.isSafeInteger(o)) safe = false;
    }
    const bytes = Buffer.from(new SharedArrayBuffer(total));
    const ends = new Int32Array(new SharedArrayBuffer(4 * n));
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const v = messages[i]!.value;
      if (v === null) {
        ends[i] = -1;
        continue;
      }
      bytes.set(v, pos);
      pos += v.length;
      ends[i] = pos;
    }
    return new PackedBatch(
      topic,
      partition,
      safe ? numeric : messages.map((m) => m.offset),
      bytes,
      ends,
      started,
    );
  }

  /** The batch's raw data: shared memory (offsets as text only in the unsafe case), cheap to post. */
  get data(): BatchData {
    return { partition: this.partition, bytes: this.bytes, ends: this.ends, offsets: this.offsets };
  }

  get count(): number {
    return this.ends.length;
  }

  offsetAt(i: number): string {
    return offsetText(this.offsets, i);
  }

  /** The per-message view, built on first use. */
  get messages(): ParsedMessage[] {
    if (this.view) return this.view;
    const view: ParsedMessage[] = new Array(this.count);
    let start = 0;
    for (let i = 0; i < this.count; i++) {
      const end = this.ends[i]!;
      const text = end < 0 ? null : this.bytes.toString('utf8', start, end);
      if (end >= 0) start = end;
      view[i] = new LazyMessage(this.offsetAt(i), text);
    }
    this.view = view;
    return view;
  }
}

/** A polled batch's raw data, as aggregateBatch reads it. */
export interface BatchData {
  partition: number;
  /** The values, back to back. */
  bytes: Buffer;
  /** End of each value in `bytes`; -1 marks a null value (it starts where the previous ended). */
  ends: Int32Array;
  offsets: Float64Array | string[];
}

/** Offset i of a batch's offsets as Kafka text. */
export function offsetText(offsets: Float64Array | string[], i: number): string {
  const o = offsets[i]!;
  return typeof o === 'number' ? String(o) : o;
}

class LazyMessage implements ParsedMessage {
  private result: ParseResult | undefined;
  constructor(
    readonly offset: string,
    private readonly text: string | null,
  ) {}
  get rawText(): string {
    return this.text ?? '';
  }
  get parsed(): ParseResult {
    this.result ??= parseEventLine(this.text);
    return this.result;
  }
}
