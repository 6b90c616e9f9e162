import type { Aggregation } from './aggregation';
import type { PackedBatch } from './packed-batch';
import type { StopSignal } from './stop-signal';
import type { WritableAggregate } from './write-statement';

export interface GroupCommitRunnerOptions {
  /** Parsed events waiting for the next transaction before add() callers wait (the memory bound). */
  maxPendingEvents: number;
  /** How long a group waits for more batches once its first one is pending (see groupReady). */
  groupLingerMs: number;
  stop: StopSignal;
  /** Where batches are aggregated until their transaction (set once the consumer starts). */
  aggregation(): Aggregation;
  /** Writes one group in one transaction (never throws: failures are handled there). */
  apply(group: PackedBatch[], aggregate: WritableAggregate): Promise<void>;
  /** The aggregation failed while this group was being flushed: read it again. */
  reread(group: PackedBatch[]): void;
}

/**
 * Group commit: while PostgreSQL commits one transaction, kafkajs fetches and the next batches are
 * parsed and aggregated; they are written together in the next transaction, strictly in order, one
 * transaction at a time. Memory is bounded by maxPendingEvents.
 */
export class GroupCommitRunner {
  private pending: PackedBatch[] = [];
  private pendingEvents = 0;
  private spaceWaiters: Array<() => void> = [];
  private lingerWake: (() => void) | undefined;
  private writing = false;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly o: GroupCommitRunnerOptions) {}

  /** Until fewer than maxPendingEvents events are pending, or stop. */
  async waitForSpace(): Promise<void> {
    while (this.pendingEvents >= this.o.maxPendingEvents && !this.o.stop.stopped) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  /**
   * Aggregates the batch and queues it for the next transaction. Synchronous on purpose: what the
   * aggregation was given and the pending list stay in step (a flush covers exactly the batches
   * pending when it is asked for).
   */
  add(batch: PackedBatch): void {
    this.o.aggregation().add(batch);
    this.pending.push(batch);
    this.pendingEvents += batch.count;
    if (this.groupReady()) this.lingerWake?.();
    this.kick();
  }

  /** Gives up every batch not yet flushed (their aggregate is gone) and returns them. */
  takePending(): PackedBatch[] {
    this.pendingEvents = 0;
    const given = this.pending.splice(0);
    this.wakeWaiters();
    return given;
  }

  /** Wakes add() callers waiting for space (on stop, and whenever space is made). */
  wakeWaiters(): void {
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  /** Waits until every group handed to the database is committed or given up. */
  async drain(): Promise<void> {
    while (this.writing) await this.tail;
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = true;
    this.tail = (async () => {
      try {
        while (this.pending.length > 0 && !this.o.stop.stopped) {
          await this.linger();
          if (this.o.stop.stopped || this.pending.length === 0) break;
          await this.writeGroup();
        }
      } finally {
        this.writing = false;
        this.wakeWaiters();
      }
    })();
  }

  private async writeGroup(): Promise<void> {
    const group = this.pending.splice(0);
    this.pendingEvents = 0;
    this.wakeWaiters();
    let aggregate: WritableAggregate;
    try {
      aggregate = await this.o.aggregation().flush();
    } catch {
      this.o.reread(group); // the aggregation failed while this group was being flushed
      return;
    }
    await this.o.apply(group, aggregate);
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
    await this.o.stop.sleep(remaining, (wake) => {
      this.lingerWake = wake;
    });
    this.lingerWake = undefined;
  }
}
