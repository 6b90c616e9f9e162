import { EventGenerator, type GeneratedEvent } from '@reelwatch/event-producer';
import { waitFor } from '@reelwatch/testkit';
import { Kafka, logLevel } from 'kafkajs';
import {
  appliedCount,
  parseMetrics,
  produceEvents,
  scrape,
  startIngestion,
  uniqueName,
  watermarks,
} from './support/pipeline';
import { useServers } from './support/servers';

const servers = useServers({ built: true });

async function storedOffsets(database: string, group: string): Promise<Map<number, bigint>> {
  const rows = await servers.postgres.primary.query<{ partition: number; last_offset: string }>(
    'SELECT partition, last_offset FROM ingestion_offsets WHERE consumer_group = $1',
    [group],
    database,
  );
  return new Map(rows.map((r) => [Number(r.partition), BigInt(r.last_offset)]));
}

test('messages deleted by retention before ingestion read them are skipped, counted per partition, and nothing else is lost', async () => {
  const { kafka, postgres } = servers;
  const topic = uniqueName('retention');
  const group = uniqueName('g');
  const database = await postgres.createDatabase();
  const target = { brokers: kafka.brokers, topic, group, databaseUrl: postgres.primary.url(database) };
  const events: GeneratedEvent[] = [...new EventGenerator({ seed: 13 }).take(400)];
  await produceEvents(kafka.brokers, topic, events);

  const first = await startIngestion(target);
  await waitFor(async () => (await appliedCount(postgres.primary, database, group)) === events.length, {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'the first events applied',
  });
  expect(await first.stop('SIGTERM')).toBe(0);
  const before = await storedOffsets(database, group);

  // While nobody consumes, partition 0 receives ~9 MB: the mock broker keeps about 5 MB per
  // partition, so the oldest of these (and nothing already read) are deleted before anyone reads them.
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const line = `{"padding":"${'x'.repeat(60_000)}"}`;
  for (let i = 0; i < 150; i++)
    await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: line }] });
  await producer.disconnect();
  const marks = await watermarks(kafka.brokers, topic);
  const p0 = marks.get(0)!;
  const resumeAt = (before.get(0) ?? -1n) + 1n;
  expect(p0.low).toBeGreaterThan(resumeAt); // the precondition: data was lost before it was read

  const second = await startIngestion(target);
  try {
    await waitFor(
      async () => {
        const stored = await storedOffsets(database, group);
        return [...marks].every(([p, m]) => (stored.get(p) ?? -1n) + 1n === m.high);
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'every partition applied up to its high watermark' },
    );
    const metrics = parseMetrics(await scrape(second.url));
    expect(metrics.get(`reelwatch_ingestion_skipped_offsets_total{partition="0",topic="${topic}"}`)).toBe(
      Number(p0.low - resumeAt),
    );
    for (const p of [1, 2, 3]) {
      expect(
        metrics.get(`reelwatch_ingestion_skipped_offsets_total{partition="${p}",topic="${topic}"}`),
      ).toBe(0);
    }
    // Everything still on the broker was read: the second run applied exactly high - low of partition 0.
    const applied = [...metrics]
      .filter(
        ([k]) => k.startsWith('reelwatch_ingestion_events_total{') && !k.includes('outcome="duplicate"'),
      )
      .reduce((sum, [, v]) => sum + v, 0);
    expect(applied).toBe(Number(p0.high - p0.low));
    const rows = await postgres.primary.query<{ n: string }>(
      'SELECT count(*) AS n FROM dead_letters',
      [],
      database,
    );
    expect(Number(rows[0]!.n)).toBe(Number(p0.high - p0.low));
  } finally {
    expect(await second.stop('SIGTERM')).toBe(0);
  }
}, 180_000);
