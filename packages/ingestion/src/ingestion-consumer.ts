import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type pino from 'pino';
import { type Aggregation, InlineAggregation, ThreadAggregation } from './aggregation';
import type { WritableAggregate } from './batch-aggregator';
import type { BatchWriter, PartitionBatch, WriteResult } from './batch-writer';

import { IngestionError } from './errors';
import type { IngestionMetrics } from './ingestion-metrics';
import { PackedBatch } from './packed-batch';

export interface IngestionConsumerOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  writer: BatchWriter;
  logger: pino.Logger;
  /** Omitted: no metrics at all (the benchmark's "metrics off"). */
  metrics?: IngestionMetrics;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  fetchMaxWaitMs?: number;
  maxBytesPerPartition?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** How long a high-watermark lookup for the lag metric is reused. */
  lagCacheMs?: number;
  /** Parsed events waiting for the next transaction before fetching pauses (group commit bound). */
  maxPendingEvents?: number;
  /**
   * How long a transaction waits for more batches once the first one is pending (unless half of
   * maxPendingEvents is already there): fewer, larger transactions update each row fewer times.
   */
  groupLingerMs?: number;
  /** Parse and aggregate on a worker thread (true) or on the consumer's own thread. */
  aggregationThread?: boolean;
  /** kafkajs retries of a failing request before the consumer crashes (and is recreated). */
  kafkaRetries?: number;
}

/**
 * The Kafka side of ingestion. PostgreSQL holds the truth about progress: every batch is written
 * by BatchWriter in one transaction together with its offset, and messages at or below the stored
 * offset are dropped. Kafka offsets are committed only after the database commit, for lag tools.
 *
 * - on assignment each partition is sought to the stored offset + 1;
 * - a batch that starts after stored offset + 1 (Kafka committed offsets ahead of the database)
 *   is not applied: the partition is sought back, unless the broker no longer has those offsets;
 * - PostgreSQL unavailable: the topic is paused, the batch retried with exponential backoff and
 *   full jitter, `ready` is false; nothing is committed anywhere until it succeeds;
 * - a consumer crash (kafkajs gave up on a request after its retries) recreates the consumer.
 */
export class IngestionConsumer {
  private readonly o: Required<Omit<IngestionConsumerOptions, 'metrics'>> & { metrics?: IngestionMetrics };
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private stopping = false;
  private stopWaiters: Array<() => void> = [];
  private dbRetrying = false;
  private running = false;
  /** Next offset to apply, per assigned partition (what lag is measured from). */
  private readonly positions = new Map<number, bigint>();
  private assigned = new Set<number>();
  private highWatermarks: { at: number; offsets: Map<number, { high: bigint; low: bigint }> } | undefined;
  private recreating: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private writing = false;
  private pending: PackedBatch[] = [];
  private aggregation: Aggregation | undefined;
  private lingerWake: (() => void) | undefined;
  private pendingEvents = 0;
  private spaceWaiters: Array<() => void> = [];
  private heartbeat: () => Promise<void> = async () => undefined;

  constructor(options: IngestionConsumerOptions) {
    this.o = {
      fromBeginning: true,
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3_000,
      fetchMaxWaitMs: 1_000,
      maxBytesPerPartition: 1_048_576,
      retryInitialMs: 200,
      retryMaxMs: 10_000,
      lagCacheMs: 2_000,
      maxPendingEvents: 100_000,
      groupLingerMs: 100,
      aggregationThread: true,
      kafkaRetries: 8,
      ...options,
    };
    this.o.metrics?.setLagSource(() => this.lag());
  }

  /** Throws while the service cannot make progress (for /readyz). */
  readinessCheck(): void {
    if (this.dbRetrying)
      throw new IngestionError('DB_UNAVAILABLE', 'PostgreSQL unavailable, batch being retried');
    if (!this.running) throw new IngestionError('CONSUMER_CRASHED', 'Kafka consumer not running');
  }

  async start(): Promise<void> {
    this.aggregation = this.o.aggregationThread
      ? new ThreadAggregation((err) => this.aggregationFailed(err))
      : new InlineAggregation();
    this.admin = this.o.kafka.admin();
    await this.admin.connect();
    await this.startConsumer();
  }

  /** Leaves the group after the batch in progress is committed or abandoned (nothing half-written). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.stopWaiters.splice(0)) wake();
    for (const wake of this.spaceWaiters.splice(0)) wake();
    await this.recreating?.catch(() => undefined);
    await this.consumer
      ?.disconnect()
      .catch((err) => this.o.logger.warn({ err }, 'consumer disconnect failed'));
    await this.admin?.disconnect().catch(() => undefined);
    await this.drain();
    await this.aggregation?.close();
    this.running = false;
  }

  /**
   * The aggregation thread failed: the aggregate of the batches not yet written is gone. Give those
   * batches up and read them again (the group being flushed at that moment, if any, is given up by
   * kick() when its flush is rejected).
   */
  private aggregationFailed(err: Error): void {
    this.o.metrics?.consumerCrashes.inc();
    this.o.logger.error({ err }, 'aggregation thread failed; re-reading the batches not yet written');
    this.pendingEvents = 0;
    this.reread(this.pending.splice(0));
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  /**
   * Seeks the partitions of batches given up before their write back to where PostgreSQL says each
   * continues (stored offset + 1, else the first given-up offset). Without it a partition whose
   * given-up batches were its last ones would never be fetched again (a gap is only noticed when a
   * later batch arrives); the offset guard makes any overlap harmless.
   */
  private reread(batches: PackedBatch[]): void {
    const from = new Map<number, bigint>();
    for (const b of batches) if (!from.has(b.partition)) from.set(b.partition, b.span.first);
    for (const [partition, first] of from) {
      const next = this.positions.get(partition) ?? first;
      this.consumer?.seek({ topic: this.o.topic, partition, offset: next.toString() });
    }
  }

  /** For tests: make the aggregation thread die as a crash would. */
  async crashAggregationForTest(): Promise<void> {
    if (!(this.aggregation instanceof ThreadAggregation)) throw new Error('no aggregation thread');
    await this.aggregation.crashForTest();
  }

  private async startConsumer(): Promise<void> {
    const consumer = this.o.kafka.consumer({
      groupId: this.o.groupId,
      sessionTimeout: this.o.sessionTimeoutMs,
      heartbeatInterval: this.o.heartbeatIntervalMs,
      maxWaitTimeInMs: this.o.fetchMaxWaitMs,
      maxBytesPerPartition: this.o.maxBytesPerPartition,
      // kafkajs retries each failing request kafkaRetries times, then crashes; it never restarts the
      // consumer itself: the service recreates it (recreate()), whatever the error, so every crash
      // takes the same, tested path.
      retry: { retries: this.o.kafkaRetries, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.o.metrics?.rebalances.inc();
      const assigned = event.payload.memberAssignment[this.o.topic] ?? [];
      this.o.logger.info({ partitions: assigned }, 'joined consumer group');
      void this.seekToStoredOffsets(consumer, assigned);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.o.metrics?.consumerCrashes.inc();
      this.o.logger.error({ err: error, restart }, 'Kafka consumer crashed');
      if (!this.stopping && !restart) this.recreate(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.o.topic, fromBeginning: this.o.fromBeginning });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: false,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.running = true;
  }

  /** kafkajs gave up on this consumer (non-retriable crash): never die silently, build a new one. */
  private recreate(old: Consumer): void {
    this.running = false;
    this.recreating = (async () => {
      let delay = this.o.retryInitialMs;
      while (!this.stopping) {
        try {
          await old.disconnect().catch(() => undefined);
          await this.startConsumer();
          this.o.logger.info('Kafka consumer recreated');
          return;
        } catch (err) {
          this.o.logger.error({ err }, 'recreating the Kafka consumer failed; retrying');
          await this.sleep(this.backoff(delay));
          delay = Math.min(delay * 2, this.o.retryMaxMs);
        }
      }
    })();
  }

  private async seekToStoredOffsets(consumer: Consumer, partitions: number[]): Promise<void> {
    this.assigned = new Set(partitions);
    for (const p of [...this.positions.keys()]) if (!this.assigned.has(p)) this.positions.delete(p);
    if (partitions.length === 0) return;
    try {
      // Batches still being written belong to the stored offsets we are about to read.
      await this.drain();
      const stored = await this.o.writer.storedOffsets(this.o.topic, partitions);
      const marks = [...stored.values()].some((last) => last < 0n) ? await this.watermarks(true) : undefined;
      for (const [partition, last] of stored) {
        let next = last + 1n;
        if (last < 0n) {
          // Nothing applied yet: the database, not Kafka's committed offset, decides where to start
          // (a fresh or restored database re-reads what the broker still has).
          if (!this.o.fromBeginning) continue;
          next = marks?.get(partition)?.low ?? 0n;
        }
        if (this.assigned.has(partition)) this.positions.set(partition, next);
        consumer.seek({ topic: this.o.topic, partition, offset: next.toString() });
      }
    } catch (err) {
      // Not fatal: the per-batch offset guard still drops replays and detects gaps.
      this.o.logger.warn({ err }, 'could not read stored offsets after joining; relying on the batch guard');
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isStale } = payload;
    if (batch.messages.length === 0 || this.stopping || isStale()) return;
    const started = process.hrtime.bigint();
    const { topic, partition } = batch;
    this.heartbeat = heartbeat;
    // Group commit: while PostgreSQL commits one transaction, kafkajs fetches and we parse and
    // aggregate the next batches; they are written together in the next transaction, strictly in
    // order. Memory is bounded by maxPendingEvents.
    while (this.pendingEvents >= this.o.maxPendingEvents && !this.stopping) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.stopping) return;
    // No await from here to the push: what the aggregation was given and the pending list stay
    // in step (a flush covers exactly the batches pending when it is asked for).
    const packed = PackedBatch.of(topic, partition, batch.messages, started);
    packed.caughtUp = batch.offsetLag() === '0';
    this.aggregation!.add(packed);
    this.pending.push(packed);
    this.pendingEvents += packed.count;
    if (this.groupReady()) this.lingerWake?.();
    this.kick();
    // Resolving only moves kafkajs's fetch position; what is applied is decided by the database
    // (offset guard), and a batch given up before its commit is fetched again after the next join.
    resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    await heartbeat().catch(() => undefined);
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = true;
    this.tail = (async () => {
      try {
        while (this.pending.length > 0 && !this.stopping) {
          await this.linger();
          if (this.stopping || this.pending.length === 0) break;
          const group = this.pending.splice(0);
          this.pendingEvents = 0;
          for (const wake of this.spaceWaiters.splice(0)) wake();
          let aggregate: WritableAggregate;
          try {
            aggregate = await this.aggregation!.flush();
          } catch {
            this.reread(group); // the aggregation failed while this group was being flushed
            continue;
          }
          await this.applyGroup(group, aggregate);
        }
      } finally {
        this.writing = false;
        for (const wake of this.spaceWaiters.splice(0)) wake();
      }
    })();
  }

  /**
   * The pending group need not wait for more batches: half of maxPendingEvents is there, or a batch
   * reached the end of its partition (lingering only pays while there is a backlog; live traffic
   * and the end of a catch-up are written at once).
   */
  private groupReady(): boolean {
    return this.pendingEvents * 2 >= this.o.maxPendingEvents || this.pending.some((b) => b.caughtUp);
  }

  /** Until the oldest pending batch is groupLingerMs old, the group is ready, or stop. */
  private async linger(): Promise<void> {
    const oldest = this.pending[0];
    if (!oldest || this.groupReady()) return;
    const waited = Number(process.hrtime.bigint() - oldest.started) / 1e6;
    const remaining = this.o.groupLingerMs - waited;
    if (remaining <= 0) return;
    await this.sleep(remaining, (wake) => {
      this.lingerWake = wake;
    });
    this.lingerWake = undefined;
  }

  /** Waits until every batch handed to the database is committed or given up. */
  async drain(): Promise<void> {
    while (this.writing) await this.tail;
  }

  private async applyGroup(group: PackedBatch[], aggregate: WritableAggregate): Promise<void> {
    const topic = this.o.topic;
    let result: WriteResult | undefined;
    try {
      result = await this.writeWithRetry(group, aggregate);
      if (!result) return;
      const gaps = [...result.partitions].filter(([, state]) => state.gapResumeAt !== undefined);
      if (gaps.length > 0) {
        const marks = await this.watermarks(true);
        const skippable: number[] = [];
        for (const [partition, state] of gaps) {
          const low = marks.get(partition)?.low ?? 0n;
          if (low > state.gapResumeAt!) {
            // Those offsets are gone from the broker (retention): skipping them is all that is left.
            this.o.logger.warn(
              { partition, from: state.gapResumeAt!.toString(), to: low.toString() },
              'offsets no longer on the broker; skipping',
            );
            skippable.push(partition);
          } else {
            this.o.logger.warn(
              { partition, resumeAt: state.gapResumeAt!.toString() },
              'batch starts after the stored offset; seeking back',
            );
            this.consumer?.seek({ topic, partition, offset: state.gapResumeAt!.toString() });
          }
        }
        if (skippable.length > 0) {
          const retry = group
            .filter((b) => skippable.includes(b.partition))
            .map((b) => ({ topic, partition: b.partition, messages: b.messages, acceptGap: true }));
          const second = await this.writeWithRetry(retry);
          if (second) this.record(second, []);
        }
      }
    } catch (err) {
      this.o.logger.error({ err }, 'batch failed');
      return;
    }
    const commits: { topic: string; partition: number; offset: string }[] = [];
    for (const [partition, state] of result.partitions) {
      // A batch of a partition revoked meanwhile still commits (guarded), but is no longer ours to report.
      if (state.lastOffset >= 0n && this.assigned.has(partition))
        this.positions.set(partition, state.lastOffset + 1n);
      if (state.applied > 0) commits.push({ topic, partition, offset: (state.lastOffset + 1n).toString() });
    }
    this.record(result, group);
    if (commits.length > 0 && this.consumer && !this.stopping) {
      // Informational only (lag tools); a failure here loses nothing.
      await this.consumer
        .commitOffsets(commits)
        .catch((err) => this.o.logger.debug({ err }, 'Kafka offset commit failed (informational)'));
    }
  }

  private async writeWithRetry(
    batches: PartitionBatch[],
    aggregate?: WritableAggregate,
  ): Promise<WriteResult | undefined> {
    let delay = this.o.retryInitialMs;
    let paused = false;
    try {
      for (;;) {
        try {
          return await this.o.writer.writeMany(batches, aggregate);
        } catch (err) {
          if (this.stopping) return undefined;
          this.o.metrics?.dbRetries.inc();
          if (!this.dbRetrying) {
            this.dbRetrying = true;
            this.o.metrics?.dbRetrying.set(1);
            this.o.logger.error({ err }, 'batch transaction failed; pausing and retrying');
          }
          if (!paused) {
            this.consumer?.pause([{ topic: this.o.topic }]);
            paused = true;
          }
          await this.sleep(this.backoff(delay));
          delay = Math.min(delay * 2, this.o.retryMaxMs);
          if (this.stopping) return undefined;
          try {
            await this.heartbeat();
          } catch (err) {
            // A rebalance started: give the batch up; its new owner (maybe us) re-reads it.
            this.o.logger.warn({ err }, 'rebalance while retrying; abandoning the batch');
            return undefined;
          }
        }
      }
    } finally {
      if (paused) {
        this.consumer?.resume([{ topic: this.o.topic }]);
      }
      if (this.dbRetrying) {
        this.dbRetrying = false;
        this.o.metrics?.dbRetrying.set(0);
        this.o.logger.info('PostgreSQL available again; consumption resumed');
      }
    }
  }

  private record(result: WriteResult, polled: PackedBatch[]): void {
    const m = this.o.metrics;
    if (!m) return;
    for (const [type, n] of Object.entries(result.appliedByType)) {
      if (n > 0) m.events.inc({ type, outcome: type === 'malformed' ? 'dead_letter' : 'applied' }, n);
    }
    for (const [type, n] of Object.entries(result.duplicatesByType)) {
      if (n > 0) m.events.inc({ type, outcome: 'duplicate' }, n);
    }
    for (const [reason, n] of result.deadLetters) m.deadLetters.inc({ reason }, n);
    if (result.newUsers > 0) m.newUsers.inc(result.newUsers);
    if (result.newMovies > 0) m.newMovies.inc(result.newMovies);
    m.transactionDuration.observe(result.transactionSeconds);
    const now = process.hrtime.bigint();
    for (const b of polled) {
      m.batchSize.observe(b.count);
      m.batchDuration.observe(Number(now - b.started) / 1e9);
    }
    if (result.applied > 0) m.lastBatchTimestamp.set(Date.now() / 1000);
  }

  /** Exponential backoff with full jitter: uniform in [delay/2, delay]. */
  private backoff(delay: number): number {
    return delay / 2 + Math.random() * (delay / 2);
  }

  /** Sleeps `ms`, cut short by stop() or by the wake function handed to `onWake`. */
  private sleep(ms: number, onWake?: (wake: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopWaiters = this.stopWaiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopWaiters.push(done);
      onWake?.(done);
    });
  }

  private async watermarks(fresh = false): Promise<Map<number, { high: bigint; low: bigint }>> {
    const cached = this.highWatermarks;
    if (!fresh && cached && Date.now() - cached.at < this.o.lagCacheMs) return cached.offsets;
    if (!this.admin) return new Map();
    const offsets = await this.admin.fetchTopicOffsets(this.o.topic);
    const map = new Map(offsets.map((o) => [o.partition, { high: BigInt(o.high), low: BigInt(o.low) }]));
    this.highWatermarks = { at: Date.now(), offsets: map };
    return map;
  }

  /** Lag per assigned partition: high watermark - next offset to apply (stored offset + 1). */
  async lag(): Promise<Array<{ topic: string; partition: number; lag: number }>> {
    if (this.positions.size === 0) return [];
    const marks = await this.watermarks();
    const out: Array<{ topic: string; partition: number; lag: number }> = [];
    for (const [partition, position] of this.positions) {
      const mark = marks.get(partition);
      if (!mark) continue;
      const lag = mark.high - position;
      out.push({ topic: this.o.topic, partition, lag: Number(lag > 0n ? lag : 0n) });
    }
    return out.sort((a, b) => a.partition - b.partition);
  }
}
