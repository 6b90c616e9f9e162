import { EventGenerator } from '@reelwatch/event-producer';
import { waitFor } from '@reelwatch/testkit';
import { counterValue, expectReference, startInProcess } from './support/in-process';
import { appliedCount, produceEvents, uniqueName } from './support/pipeline';
import { useServers } from './support/servers';

// The consumer in this process (not the built service): the tests kill its aggregation thread
// through the thread handles startInProcess records. Real Kafka (mock cluster) and real
// PostgreSQL, as everywhere else.
const servers = useServers();

test('a dead aggregation thread is replaced, the batches not yet written are read again, and the result still equals the reference', async () => {
  const { kafka, postgres } = servers;
  const N = 60_000;
  const events = [...new EventGenerator({ seed: 801, malformedRatio: 0.003 }).take(N)];
  const topic = uniqueName('thread');
  await produceEvents(kafka.brokers, topic, events);
  // Small fetches and no lingering: many batches and transactions, so the kills land mid-stream.
  const run = await startInProcess(kafka, postgres, topic, {
    maxBytesPerPartition: 16_384,
    groupLingerMs: 0,
  });
  try {
    for (const threshold of [N * 0.2, N * 0.45, N * 0.7]) {
      await waitFor(
        async () => (await appliedCount(postgres.primary, run.database, run.group)) >= threshold,
        {
          timeoutMs: 60_000,
          intervalMs: 20,
          what: `${threshold} events applied`,
        },
      );
      await run.killAggregationThread();
    }
    await waitFor(async () => (await appliedCount(postgres.primary, run.database, run.group)) === N, {
      timeoutMs: 90_000,
      intervalMs: 200,
      what: 'every event applied after the aggregation thread was killed three times',
    });
    await expectReference(postgres, run, events);
    expect(await counterValue(run.metrics.consumerCrashes)).toBe(3);
    expect(() => run.consumer.readinessCheck()).not.toThrow();
  } finally {
    await run.stop();
  }
}, 240_000);

test('with INGESTION_AGGREGATION_THREAD=false the consumer aggregates on its own thread, with the same result', async () => {
  const { kafka, postgres } = servers;
  const N = 20_000;
  const events = [...new EventGenerator({ seed: 802, malformedRatio: 0.003 }).take(N)];
  const topic = uniqueName('inline');
  await produceEvents(kafka.brokers, topic, events);
  const run = await startInProcess(kafka, postgres, topic, { aggregationThread: false });
  try {
    await waitFor(async () => (await appliedCount(postgres.primary, run.database, run.group)) === N, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'every event applied (aggregation on the consumer thread)',
    });
    await expectReference(postgres, run, events);
    expect(run.aggregationThreads).toHaveLength(0);
    await expect(run.killAggregationThread()).rejects.toThrow('no aggregation thread');
  } finally {
    await run.stop();
  }
}, 120_000);

test('the group linger never holds back a batch that reaches the end of its partition (live traffic is written at once)', async () => {
  const { kafka, postgres } = servers;
  const topic = uniqueName('linger');
  const first = [...new EventGenerator({ seed: 803 }).take(2_000)];
  await produceEvents(kafka.brokers, topic, first);
  // A linger far longer than the waits below: only the caught-up rule can make these pass.
  const run = await startInProcess(kafka, postgres, topic, { groupLingerMs: 60_000 });
  try {
    await waitFor(async () => (await appliedCount(postgres.primary, run.database, run.group)) === 2_000, {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: 'the backlog applied without waiting out the 60 s linger',
    });
    const more = [...new EventGenerator({ seed: 804 }).take(500)];
    await produceEvents(kafka.brokers, topic, more);
    await waitFor(async () => (await appliedCount(postgres.primary, run.database, run.group)) === 2_500, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'live events applied without waiting out the 60 s linger',
    });
  } finally {
    await run.stop();
  }
}, 120_000);
