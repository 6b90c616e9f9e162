/**
 * The aggregation thread (see ThreadAggregation): aggregates the batches it is sent, in order, and
 * answers each flush with the aggregate of everything since the previous one, its parameters
 * already turned into PostgreSQL array text exactly as node-pg would (that serialisation is per
 * row, so it belongs here, off the consumer's thread).
 */
import { parentPort } from 'node:worker_threads';
import type { FromAggregationThread, ToAggregationThread } from './aggregation';
import { aggregateBatch } from './aggregation';
import { BatchAggregator } from './batch-aggregator';
import { FastLineAggregator } from './fast-line';
import { aggregateParameterText } from './write-statement';

const port = parentPort;
if (!port) throw new Error('aggregation-thread runs only as a worker thread');
let agg = new BatchAggregator();
const fast = new FastLineAggregator();
/** Set when aggregating a batch threw (a bug): every later flush reports it instead of a wrong aggregate. */
let failure: string | undefined;

port.on('message', (msg: ToAggregationThread) => {
  if (msg.type === 'batch') {
    try {
      // A posted Buffer arrives as a plain Uint8Array over the same shared memory.
      const bytes = Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
      aggregateBatch(agg, fast, { ...msg, bytes });
    } catch (err) {
      // Reported at the next flush: the aggregate is incomplete and must not be written.
      failure ??= err instanceof Error ? (err.stack ?? err.message) : String(err);
    }
    return;
  }
  const done = agg;
  agg = new BatchAggregator();
  let reply: FromAggregationThread;
  if (failure !== undefined) {
    reply = { type: 'failed', id: msg.id, message: failure };
  } else {
    reply = {
      type: 'flushed',
      id: msg.id,
      eventCounts: done.eventCounts,
      deadLetterCounts: [...done.deadLetterCounts],
      deadLetterTotal: done.deadLetterTotal,
      values: aggregateParameterText(done),
    };
  }
  port.postMessage(reply);
});
