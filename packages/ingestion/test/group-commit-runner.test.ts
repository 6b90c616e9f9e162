import type { Aggregation } from '../src/aggregation';
import { BatchAggregator } from '../src/batch-aggregator';
import { GroupCommitRunner } from '../src/group-commit-runner';
import { PackedBatch } from '../src/packed-batch';
import { StopSignal } from '../src/stop-signal';
import type { WritableAggregate } from '../src/write-statement';

const LINE = Buffer.from('2026-01-01T00:00:00Z,1,GET /rate/x=3');

/** A batch of `count` messages of `partition` from offset `from`, polled `ageMs` ago. */
function packed(partition: number, from: number, count: number, ageMs = 0): PackedBatch {
  const messages = Array.from({ length: count }, (_, i) => ({ offset: String(from + i), value: LINE }));
  return PackedBatch.of('t', partition, messages, process.hrtime.bigint() - BigInt(ageMs) * 1_000_000n);
}

/** An aggregation that records what it was given; its flush can be made to fail or to wait. */
class FakeAggregation implements Aggregation {
  added: PackedBatch[] = [];
  failNext = false;
  gate: Promise<void> = Promise.resolve();
  add(batch: PackedBatch): void {
    this.added.push(batch);
  }
  async flush(): Promise<WritableAggregate> {
    await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('aggregation thread exited');
    }
    return new BatchAggregator();
  }
  async close(): Promise<void> {}
}

function setup(options: { maxPendingEvents?: number; groupLingerMs?: number } = {}) {
  const stop = new StopSignal();
  const aggregation = new FakeAggregation();
  const written: number[][] = [];
  const reread: number[][] = [];
  let release: () => void = () => undefined;
  let applyGate: Promise<void> = Promise.resolve();
  const runner = new GroupCommitRunner({
    maxPendingEvents: options.maxPendingEvents ?? 1_000,
    groupLingerMs: options.groupLingerMs ?? 0,
    stop,
    aggregation: () => aggregation,
    apply: async (group) => {
      await applyGate;
      written.push(group.map((b) => b.span.first).map(Number));
    },
    reread: (group) => reread.push(group.map((b) => Number(b.span.first))),
  });
  return {
    stop,
    aggregation,
    runner,
    written,
    reread,
    /** Holds every apply() until the returned release is called. */
    holdWrites() {
      applyGate = new Promise((resolve) => {
        release = resolve;
      });
      return () => release();
    },
  };
}

test('batches added while a transaction runs are written together in the next one, in order', async () => {
  const { runner, written, holdWrites, aggregation } = setup();
  const release = holdWrites();
  runner.add(packed(0, 0, 10));
  await new Promise((r) => setImmediate(r));
  runner.add(packed(0, 10, 10));
  runner.add(packed(1, 0, 5));
  release();
  await runner.drain();
  expect(written).toEqual([[0], [10, 0]]);
  expect(aggregation.added).toHaveLength(3);
});

test('a group lingers up to groupLingerMs for more batches before it is written', async () => {
  const { runner, written } = setup({ groupLingerMs: 150 });
  const started = Date.now();
  runner.add(packed(0, 0, 10));
  runner.add(packed(0, 10, 10));
  await runner.drain();
  expect(written).toEqual([[0, 10]]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(100);
});

test('a batch that reached the end of its partition is written without lingering', async () => {
  const { runner, written } = setup({ groupLingerMs: 60_000 });
  const live = packed(0, 0, 10);
  live.caughtUp = true;
  const started = Date.now();
  runner.add(live);
  await runner.drain();
  expect(written).toEqual([[0]]);
  expect(Date.now() - started).toBeLessThan(5_000);
});

test('half of maxPendingEvents pending ends the linger at once', async () => {
  const { runner, written } = setup({ maxPendingEvents: 20, groupLingerMs: 60_000 });
  runner.add(packed(0, 0, 4));
  runner.add(packed(0, 4, 6));
  await runner.drain();
  expect(written).toEqual([[0, 4]]);
});

test('waitForSpace holds new batches while maxPendingEvents events are pending', async () => {
  const { runner, holdWrites } = setup({ maxPendingEvents: 10 });
  const release = holdWrites();
  runner.add(packed(0, 0, 10)); // taken at once by the first transaction: space again
  await new Promise((r) => setImmediate(r));
  runner.add(packed(0, 10, 10)); // pending behind the held transaction
  let waited = false;
  const waiting = runner.waitForSpace().then(() => {
    waited = true;
  });
  await new Promise((r) => setTimeout(r, 20));
  expect(waited).toBe(false);
  release();
  await waiting;
  expect(waited).toBe(true);
  await runner.drain();
});

test('a group whose flush fails (the aggregation thread died) is handed back to be read again, and later groups still go', async () => {
  const { runner, written, reread, aggregation } = setup();
  aggregation.failNext = true;
  runner.add(packed(2, 7, 3));
  await runner.drain();
  expect(reread).toEqual([[7]]);
  expect(written).toEqual([]);
  runner.add(packed(2, 7, 3));
  await runner.drain();
  expect(written).toEqual([[7]]);
});

test('takePending gives up the batches not yet flushed and frees their space', async () => {
  const { runner, written, holdWrites } = setup({ maxPendingEvents: 10 });
  const release = holdWrites();
  runner.add(packed(0, 0, 1));
  await new Promise((r) => setImmediate(r));
  runner.add(packed(0, 1, 10));
  expect(runner.takePending().map((b) => Number(b.span.first))).toEqual([1]);
  await runner.waitForSpace();
  release();
  await runner.drain();
  expect(written).toEqual([[0]]);
});

test('after stop nothing more is written and waiters are released', async () => {
  const { runner, written, stop, holdWrites } = setup({ maxPendingEvents: 10, groupLingerMs: 60_000 });
  const release = holdWrites();
  runner.add(packed(0, 0, 10));
  await new Promise((r) => setImmediate(r));
  runner.add(packed(0, 10, 10));
  const waiting = runner.waitForSpace();
  stop.stop();
  runner.wakeWaiters();
  await waiting;
  release();
  await runner.drain();
  expect(written).toEqual([[0]]);
});
