import type { Worker } from 'node:worker_threads';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type pino from 'pino';
import {
  type Aggregation,
  InlineAggregation,
  spawnAggregationThread,
  ThreadAggregation,
} from './aggregation';
import { type PartitionBatch, spanOf, type WriteResult } from './batch-types';
import type { BatchWriter } from './batch-writer';
import { IngestionError } from './errors';
import { GroupCommitRunner } from './group-commit-runner';
import type { IngestionMetrics } from './ingestion-metrics';
import { decideGaps, hasGaps, OffsetPositions, type PartitionLag, resumeOffsets } from './offset-positions';
import { PackedBatch } from './packed-batch';
import { jittered, nextDelay, StopSignal } from './stop-signal';
import { WriteRetry } from './write-retry';
import type { WritableAggregate } from './write-statement';

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
  /**
   * Starts an aggregation thread (default spawnAggregationThread), once and again after each
   * failure: a caller that wraps it sees every thread (the recovery tests kill them).
   */
  spawnAggregationThread?: () => Worker;
  /** kafkajs retries of a failing request before the consumer crashes (and is recreated). */
  kafkaRetries?: number;
}

type Settings = Required<Omit<IngestionConsumerOptions, 'metrics'>> & { metrics?: IngestionMetrics };

/**
 * The Kafka side of ingestion. PostgreSQL holds the truth about progress: every batch is written
 * by BatchWriter in one transaction together with its offset, and messages at or below the stored
 * offset are dropped. Kafka offsets are committed only after the database commit, for lag tools.
 *
 * - on assignment each partition is sought to the stored offset + 1;
 * - a batch that starts after stored offset + 1 (Kafka committed offsets ahead of the database)
 *   is not applied: the partition is sought back, unless the broker no longer has those offsets;
 * - PostgreSQL unavailable: the topic is paused, the batch retried (WriteRetry), `ready` is false;
 *   nothing is committed anywhere until it succeeds;
 * - a consumer crash (kafkajs gave up on a request after its retries) recreates the consumer.
 *
 * Its parts, after kafkajs's runner / batch / offsetManager: GroupCommitRunner queues and writes
 * batches, OffsetPositions keeps positions and lag, WriteRetry retries the database.
 */
export class IngestionConsumer {
  private readonly o: Settings;
  private readonly stopSignal = new StopSignal();
  private readonly positions: OffsetPositions;
  private readonly runner: GroupCommitRunner;
  private readonly retry: WriteRetry;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private aggregation: Aggregation | undefined;
  private running = false;
  private recreating: Promise<void> | undefined;
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
      spawnAggregationThread,
      kafkaRetries: 8,
      ...options,
    };
    const { topic, metrics } = this.o;
    this.positions = new OffsetPositions({
      topic,
      lagCacheMs: this.o.lagCacheMs,
      fetchTopicOffsets: () => this.admin?.fetchTopicOffsets(topic),
    });
    this.retry = new WriteRetry({ ...this.o, stop: this.stopSignal });
    this.runner = new GroupCommitRunner({
      maxPendingEvents: this.o.maxPendingEvents,
      groupLingerMs: this.o.groupLingerMs,
      stop: this.stopSignal,
      aggregation: () => this.aggregation!,
      apply: (group, aggregate) => this.applyGroup(group, aggregate),
      reread: (group) => this.reread(group),
    });
    metrics?.setLagSource(() => this.lag());
  }

  /** Throws while the service cannot make progress (for /readyz). */
  readinessCheck(): void {
    if (this.retry.retrying)
      throw new IngestionError('DB_UNAVAILABLE', 'PostgreSQL unavailable, batch being retried');
    if (!this.running) throw new IngestionError('CONSUMER_CRASHED', 'Kafka consumer not running');
  }

  async start(): Promise<void> {
    this.aggregation = this.o.aggregationThread
      ? new ThreadAggregation((err) => this.aggregationFailed(err), this.o.spawnAggregationThread)
      : new InlineAggregation();
    this.admin = this.o.kafka.admin();
    await this.admin.connect();
    await this.startConsumer();
  }

  /** Leaves the group after the batch in progress is committed or abandoned (nothing half-written). */
  async stop(): Promise<void> {
    this.stopSignal.stop();
    this.runner.wakeWaiters();
    await this.recreating?.catch(() => undefined);
    await this.consumer
      ?.disconnect()
      .catch((err) => this.o.logger.warn({ err }, 'consumer disconnect failed'));
    await this.admin?.disconnect().catch(() => undefined);
    await this.drain();
    await this.aggregation?.close();
    this.running = false;
  }

  /** Waits until every batch handed to the database is committed or given up. */
  async drain(): Promise<void> {
    await this.runner.drain();
  }

  /** Lag per assigned partition: high watermark - next offset to apply (stored offset + 1). */
  lag(): Promise<PartitionLag[]> {
    return this.positions.lag();
  }

  /**
   * The aggregation thread failed: the aggregate of the batches not yet written is gone. Give those
   * batches up and read them again (the group being flushed at that moment, if any, is given up by
   * the runner when its flush is rejected).
   */
  private aggregationFailed(err: Error): void {
    this.o.metrics?.consumerCrashes.inc();
    this.o.logger.error({ err }, 'aggregation thread failed; re-reading the batches not yet written');
    this.reread(this.runner.takePending());
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
      const next = this.positions.next(partition) ?? first;
      this.consumer?.seek({ topic: this.o.topic, partition, offset: next.toString() });
    }
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
      this.o.metrics?.partitionsAssigned(this.o.topic, assigned);
      this.o.logger.info({ partitions: assigned }, 'joined consumer group');
      void this.seekToStoredOffsets(consumer, assigned);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.o.metrics?.consumerCrashes.inc();
      this.o.logger.error({ err: error, restart }, 'Kafka consumer crashed');
      if (!this.stopSignal.stopped && !restart) this.recreate(consumer);
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
      while (!this.stopSignal.stopped) {
        try {
          await old.disconnect().catch(() => undefined);
          await this.startConsumer();
          this.o.logger.info('Kafka consumer recreated');
          return;
        } catch (err) {
          this.o.logger.error({ err }, 'recreating the Kafka consumer failed; retrying');
          await this.stopSignal.sleep(jittered(delay));
          delay = nextDelay(delay, this.o.retryMaxMs);
        }
      }
    })();
  }

  private async seekToStoredOffsets(consumer: Consumer, partitions: number[]): Promise<void> {
    this.positions.assign(partitions);
    if (partitions.length === 0) return;
    try {
      // Batches still being written belong to the stored offsets we are about to read.
      await this.drain();
      const stored = await this.o.writer.storedOffsets(this.o.topic, partitions);
      // Nothing applied yet: the database, not Kafka's committed offset, decides where to start.
      const unapplied = [...stored.values()].some((last) => last < 0n);
      const marks = unapplied ? await this.positions.watermarks(true) : undefined;
      for (const [partition, next] of resumeOffsets(stored, marks, this.o.fromBeginning)) {
        this.positions.advance(partition, next);
        consumer.seek({ topic: this.o.topic, partition, offset: next.toString() });
      }
    } catch (err) {
      // Not fatal: the per-batch offset guard still drops replays and detects gaps.
      this.o.logger.warn({ err }, 'could not read stored offsets after joining; relying on the batch guard');
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isStale } = payload;
    if (batch.messages.length === 0 || this.stopSignal.stopped || isStale()) return;
    const started = process.hrtime.bigint();
    this.heartbeat = heartbeat;
    await this.runner.waitForSpace();
    if (this.stopSignal.stopped) return;
    const packed = PackedBatch.of(batch.topic, batch.partition, batch.messages, started);
    packed.caughtUp = batch.offsetLag() === '0';
    this.runner.add(packed);
    // Resolving only moves kafkajs's fetch position; what is applied is decided by the database
    // (offset guard), and a batch given up before its commit is fetched again after the next join.
    resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    await heartbeat().catch(() => undefined);
  }

  /** Writes one group (retrying the database), settles gaps, then records and commits progress. */
  private async applyGroup(group: PackedBatch[], aggregate: WritableAggregate): Promise<void> {
    let result: WriteResult | undefined;
    try {
      result = await this.write(group, aggregate);
      if (!result) return;
      if (hasGaps(result)) await this.settleGaps(group, result);
    } catch (err) {
      this.o.logger.error({ err }, 'batch failed');
      return;
    }
    const commits: { topic: string; partition: number; offset: string }[] = [];
    for (const [partition, state] of result.partitions) {
      // A batch of a partition revoked meanwhile still commits (guarded), but is no longer ours to report.
      if (state.lastOffset >= 0n) this.positions.advance(partition, state.lastOffset + 1n);
      if (state.applied > 0)
        commits.push({ topic: this.o.topic, partition, offset: (state.lastOffset + 1n).toString() });
    }
    this.o.metrics?.recordWrite(result, group);
    if (commits.length > 0 && this.consumer && !this.stopSignal.stopped) {
      // Informational only (lag tools); a failure here loses nothing.
      await this.consumer
        .commitOffsets(commits)
        .catch((err) => this.o.logger.debug({ err }, 'Kafka offset commit failed (informational)'));
    }
  }

  /**
   * Partitions left out because their batch started after stored offset + 1: sought back while the
   * broker still has the missing offsets, else written again accepting the gap.
   */
  private async settleGaps(group: PackedBatch[], result: WriteResult): Promise<void> {
    const topic = this.o.topic;
    const { seekBack, skip } = decideGaps(result, await this.positions.watermarks(true));
    for (const { partition, resumeAt } of seekBack) {
      this.o.logger.warn(
        { partition, resumeAt: resumeAt.toString() },
        'batch starts after the stored offset; seeking back',
      );
      this.consumer?.seek({ topic, partition, offset: resumeAt.toString() });
    }
    for (const { partition, from, to } of skip) {
      this.o.logger.warn(
        { partition, from: from.toString(), to: to.toString() },
        'offsets no longer on the broker; skipping',
      );
    }
    if (skip.length === 0) return;
    const skippable = new Set(skip.map((s) => s.partition));
    const retry = group
      .filter((b) => skippable.has(b.partition))
      .map((b) => ({ topic, partition: b.partition, messages: b.messages, acceptGap: true }));
    const second = await this.write(retry);
    if (!second) return; // given up (stop or rebalance): the gap is decided again after the next join
    this.o.metrics?.recordWrite(second, []);
    // Counted once the gap is accepted in the database: offsets from the stored one + 1 up to the
    // first offset still read. A partition whose write was refused (revoked meanwhile) is not counted.
    for (const { partition, from } of skip) {
      const state = second.partitions.get(partition);
      const first = firstOffset(retry, partition);
      if (!state || state.applied === 0 || first === undefined || first <= from) continue;
      this.o.metrics?.skippedOffsets.inc({ topic, partition: String(partition) }, Number(first - from));
    }
  }

  /** One write, retried while PostgreSQL is unavailable (undefined: given up on stop or rebalance). */
  private write(batches: PartitionBatch[], aggregate?: WritableAggregate): Promise<WriteResult | undefined> {
    return this.retry.run(() => this.o.writer.writeMany(batches, aggregate), {
      pause: () => this.consumer?.pause([{ topic: this.o.topic }]),
      resume: () => this.consumer?.resume([{ topic: this.o.topic }]),
      heartbeat: () => this.heartbeat(),
    });
  }
}

/** The lowest offset among the batches of `partition`. */
function firstOffset(batches: readonly PartitionBatch[], partition: number): bigint | undefined {
  let first: bigint | undefined;
  for (const b of batches) {
    if (b.partition !== partition) continue;
    const span = spanOf(b);
    if (span && (first === undefined || span.first < first)) first = span.first;
  }
  return first;
}
