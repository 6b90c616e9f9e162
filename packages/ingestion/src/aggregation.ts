import { Worker } from 'node:worker_threads';
import { BatchAggregator } from './batch-aggregator';
import { FastLineAggregator } from './fast-line';
import { type BatchData, offsetText, type PackedBatch } from './packed-batch';
import type { DeadLetterReason, EventType } from './parse-event-line';
import { parseEventLine } from './parse-event-line';
import type { WritableAggregate } from './write-statement';

/**
 * Aggregates one polled batch into `agg`: the byte-level fast path takes the common valid lines,
 * the strict parser everything else (and turns what it rejects into dead letters).
 */
export function aggregateBatch(agg: BatchAggregator, fast: FastLineAggregator, data: BatchData): void {
  const { bytes, ends, offsets, partition } = data;
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]!;
    const isNull = end < 0;
    if (!isNull && fast.add(agg, bytes, start, end)) {
      start = end;
      continue;
    }
    const rawText = isNull ? '' : bytes.toString('utf8', start, end);
    if (!isNull) start = end;
    agg.addParsed(parseEventLine(isNull ? null : rawText), partition, offsetText(offsets, i), rawText);
  }
}

/**
 * Where polled batches are parsed and aggregated until the next transaction. `add` takes batches
 * in order; `flush` returns the aggregate of every batch added since the previous flush.
 */
export interface Aggregation {
  add(batch: PackedBatch): void;
  flush(): Promise<WritableAggregate>;
  close(): Promise<void>;
}

/** On the consumer's own thread (INGESTION_AGGREGATION_THREAD=false). */
export class InlineAggregation implements Aggregation {
  private agg = new BatchAggregator();
  private readonly fast = new FastLineAggregator();

  add(batch: PackedBatch): void {
    aggregateBatch(this.agg, this.fast, batch.data);
  }

  async flush(): Promise<WritableAggregate> {
    const done = this.agg;
    this.agg = new BatchAggregator();
    return done;
  }

  async close(): Promise<void> {}
}

/** Messages to the aggregation thread. */
export type ToAggregationThread = ({ type: 'batch' } & BatchData) | { type: 'flush'; id: number };

/** The aggregation thread's answer to a flush: the aggregate, ready for the write statement. */
export interface PreparedAggregate {
  type: 'flushed';
  id: number;
  eventCounts: Record<EventType, number>;
  deadLetterCounts: Array<[DeadLetterReason, number]>;
  deadLetterTotal: number;
  /** aggregateParameterText(): the write statement's aggregate values as PostgreSQL array text. */
  values: unknown[];
}
export type FromAggregationThread = PreparedAggregate | { type: 'failed'; id: number; message: string };

/**
 * On a worker thread (the default): the consumer's thread then only decodes Kafka responses and
 * copies each batch's bytes into shared memory, while the thread parses, aggregates and builds the
 * statement's parameters — the two halves of the per-event work run on two cores.
 *
 * If the thread fails (it should not: it runs only the parser and the aggregator), every pending
 * flush is rejected, a fresh thread is started, and `onFailure` tells the consumer, which gives up
 * the batches not yet written and reads them again from the offsets stored in PostgreSQL.
 */
export class ThreadAggregation implements Aggregation {
  private worker!: Worker;
  private readonly waiting = new Map<
    number,
    { resolve(a: WritableAggregate): void; reject(e: Error): void }
  >();
  private nextId = 1;
  private closing = false;

  /**
   * @param spawnWorker starts one aggregation thread (spawnAggregationThread); called again for
   *   each replacement, so whoever passes it sees every thread the aggregation runs on.
   */
  constructor(
    private readonly onFailure: (err: Error) => void,
    private readonly spawnWorker: () => Worker = spawnAggregationThread,
  ) {
    this.spawn();
  }

  private spawn(): void {
    const worker = this.spawnWorker();
    worker.on('message', (msg: FromAggregationThread) => {
      const waiter = this.waiting.get(msg.id);
      if (!waiter) return;
      this.waiting.delete(msg.id);
      if (msg.type === 'failed') this.fail(worker, new Error(`aggregation thread failed: ${msg.message}`));
      else waiter.resolve(prepared(msg));
    });
    worker.on('error', (err) => this.fail(worker, err));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(worker, new Error(`aggregation thread exited with code ${code}`));
    });
    this.worker = worker;
  }

  private fail(worker: Worker, err: Error): void {
    if (worker !== this.worker || this.closing) return;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
    void worker.terminate().catch(() => undefined);
    this.spawn();
    this.onFailure(err);
  }

  add(batch: PackedBatch): void {
    const message: ToAggregationThread = { type: 'batch', ...batch.data };
    this.worker.postMessage(message);
  }

  flush(): Promise<WritableAggregate> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const message: ToAggregationThread = { type: 'flush', id };
      this.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const waiter of this.waiting.values()) waiter.reject(new Error('aggregation closed'));
    this.waiting.clear();
    await this.worker.terminate();
  }
}

/** Starts a worker thread running aggregation-thread.ts. */
export function spawnAggregationThread(): Worker {
  const ts = __filename.endsWith('.ts');
  // From source (tests, benchmarks) the thread compiles TypeScript as it loads, like its parent.
  return new Worker(`${__dirname}/aggregation-thread${ts ? '.ts' : '.js'}`, {
    execArgv: ts ? ['-r', '@swc-node/register'] : [],
  });
}

function prepared(msg: PreparedAggregate): WritableAggregate {
  const deadLetterCounts = new Map(msg.deadLetterCounts);
  return {
    eventCounts: msg.eventCounts,
    deadLetterCounts,
    deadLetterTotal: msg.deadLetterTotal,
    parameters: () => msg.values,
  };
}
