import { EventGenerator } from '@reelwatch/event-producer';
import { waitFor } from '@reelwatch/testkit';
import { counterValue, expectReference, startInProcess } from './support/in-process';
import { appliedCount, produceEvents, uniqueName } from './support/pipeline';
import { useServers } from './support/servers';

const servers = useServers();

test('a consumer crash (the broker hangs until kafkajs gives up) is counted, the consumer is recreated, and the result equals the reference', async () => {
  const { kafka, postgres } = servers;
  const N = 30_000;
  const events = [...new EventGenerator({ seed: 811, malformedRatio: 0.003 }).take(N)];
  const topic = uniqueName('crash');
  await produceEvents(kafka.brokers, topic, events);
  // Short request timeouts and one retry, so that kafkajs gives up within seconds of the hang.
  const run = await startInProcess(
    kafka,
    postgres,
    topic,
    {
      maxBytesPerPartition: 16_384,
      groupLingerMs: 0,
      kafkaRetries: 1,
      retryInitialMs: 100,
      retryMaxMs: 1_000,
    },
    { requestTimeout: 1_500, connectionTimeout: 1_000, retry: { retries: 1, initialRetryTime: 100 } },
  );
  try {
    await waitFor(async () => (await appliedCount(postgres.primary, run.database, run.group)) >= N * 0.2, {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: 'a fifth of the events applied',
    });
    kafka.suspend();
    let notReady = false;
    try {
      await waitFor(async () => (await counterValue(run.metrics.consumerCrashes)) >= 1, {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: 'kafkajs to give up on the hung broker (a consumer crash)',
      });
      try {
        run.consumer.readinessCheck();
      } catch {
        notReady = true;
      }
    } finally {
      kafka.resume();
    }
    expect(notReady).toBe(true);
    await waitFor(async () => (await appliedCount(postgres.primary, run.database, run.group)) === N, {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: 'every event applied by the recreated consumer',
    });
    await expectReference(postgres, run, events);
    await waitFor(
      () => {
        run.consumer.readinessCheck();
        return true;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'the recreated consumer to report ready' },
    );
  } finally {
    await run.stop();
  }
}, 240_000);
