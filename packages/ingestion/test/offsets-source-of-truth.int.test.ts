import { EventGenerator, type GeneratedEvent } from '@reelwatch/event-producer';
import { waitFor } from '@reelwatch/testkit';
import { appliedCount, produceEvents, startIngestion, uniqueName } from './support/pipeline';
import { databaseTables, describeDifferences, referenceTables } from './support/reference';
import { useServers } from './support/servers';

const N = 10_000;

const servers = useServers({ built: true });

test('the stored offsets, not the Kafka committed offsets, decide where a group resumes: a fresh database is filled from the beginning', async () => {
  const { kafka, postgres } = servers;
  const events: GeneratedEvent[] = [...new EventGenerator({ seed: 500, malformedRatio: 0.002 }).take(N)];
  const topic = uniqueName('truth');
  const group = uniqueName('g');
  await produceEvents(kafka.brokers, topic, events);

  const first = await postgres.createDatabase();
  const a = await startIngestion({
    brokers: kafka.brokers,
    topic,
    group,
    databaseUrl: postgres.primary.url(first),
  });
  await waitFor(async () => (await appliedCount(postgres.primary, first, group)) === N, {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'all events applied to the first database',
  });
  expect(await a.stop('SIGTERM')).toBe(0);

  // Same group (its Kafka offsets are committed at the end of the topic), new empty database.
  const second = await postgres.createDatabase();
  const b = await startIngestion({
    brokers: kafka.brokers,
    topic,
    group,
    databaseUrl: postgres.primary.url(second),
  });
  try {
    await waitFor(async () => (await appliedCount(postgres.primary, second, group)) === N, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'all events applied to the second database',
    });
    const tables = await databaseTables((sql) => postgres.primary.query(sql, [], second));
    expect(describeDifferences(tables, referenceTables(events))).toBe('');
  } finally {
    expect(await b.stop('SIGTERM')).toBe(0);
  }
}, 180_000);
