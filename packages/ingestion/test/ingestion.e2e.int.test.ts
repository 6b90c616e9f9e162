import { EventGenerator, type GeneratedEvent } from '@reelwatch/event-producer';
import { lintMetrics, waitFor } from '@reelwatch/testkit';
import { DEAD_LETTER_REASONS, parseEventLine } from '../src/parse-event-line';
import {
  appliedCount,
  parseMetrics,
  produceEvents,
  scrape,
  startIngestion,
  uniqueName,
} from './support/pipeline';
import { databaseTables, describeDifferences, referenceTables } from './support/reference';
import { useServers } from './support/servers';

const N = 100_000;

const servers = useServers({ built: true, replica: true });

test('ingestion applies 100,000 generated events so that every aggregate table equals the reference, on the replica too, with exact metric counters', async () => {
  const { kafka, postgres } = servers;
  const events: GeneratedEvent[] = [...new EventGenerator({ seed: 100, malformedRatio: 0.005 }).take(N)];
  const topic = uniqueName('e2e');
  const group = uniqueName('g');
  const database = await postgres.createDatabase();
  await produceEvents(kafka.brokers, topic, events);

  const service = await startIngestion({
    brokers: kafka.brokers,
    topic,
    group,
    databaseUrl: postgres.primary.url(database),
  });
  try {
    await waitFor(async () => (await appliedCount(postgres.primary, database, group)) === N, {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: `all ${N} events applied`,
    });
    const expected = referenceTables(events);
    const primary = await databaseTables((sql) => postgres.primary.query(sql, [], database));
    expect(describeDifferences(primary, expected)).toBe('');
    expect(primary.users!.length).toBeGreaterThan(1000);

    await postgres.waitForReplay(30_000);
    const replica = await databaseTables((sql) => postgres.replica.query(sql, [], database));
    expect(describeDifferences(replica, expected)).toBe('');

    // Counters equal the known counts of the stream.
    const count = (type: string) => events.filter((e) => e.type === type).length;
    const text = await scrape(service.url);
    const metrics = parseMetrics(text);
    for (const type of ['watch', 'rate', 'recommend']) {
      expect(metrics.get(`reelwatch_ingestion_events_total{outcome="applied",type="${type}"}`)).toBe(
        count(type),
      );
      expect(metrics.get(`reelwatch_ingestion_events_total{outcome="duplicate",type="${type}"}`)).toBe(0);
    }
    expect(metrics.get('reelwatch_ingestion_events_total{outcome="dead_letter",type="malformed"}')).toBe(
      count('malformed'),
    );
    const reasons = new Map<string, number>();
    for (const e of events) {
      const r = parseEventLine(e.line);
      if (!r.ok) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    }
    for (const reason of DEAD_LETTER_REASONS) {
      expect(metrics.get(`reelwatch_ingestion_dead_letters_total{reason="${reason}"}`)).toBe(
        reasons.get(reason) ?? 0,
      );
    }
    expect(metrics.get('reelwatch_ingestion_new_users_total')).toBe(expected.users!.length);
    expect(metrics.get('reelwatch_ingestion_new_movies_total')).toBe(expected.movies!.length);
    expect(metrics.get('reelwatch_ingestion_batch_size_events_sum')).toBe(N);
    expect(metrics.get('reelwatch_ingestion_db_retrying')).toBe(0);
    expect(metrics.get('reelwatch_ingestion_consumer_crashes_total')).toBe(0);
    expect(metrics.get('reelwatch_ingestion_rebalances_total')).toBeGreaterThanOrEqual(1);
    expect(metrics.get('reelwatch_ingestion_last_batch_timestamp_seconds')).toBeGreaterThan(
      Date.now() / 1000 - 120,
    );
    for (let p = 0; p < 4; p++) {
      expect(
        metrics.get(`reelwatch_ingestion_consumer_lag_messages{partition="${p}",topic="${topic}"}`),
      ).toBe(0);
    }
    expect(await lintMetrics(text)).toEqual([]);

    // The dead letters carry their Kafka coordinates and a reason from the bounded list.
    const dead = await postgres.primary.query<{ reason: string; n: string }>(
      'SELECT reason, count(*) AS n FROM dead_letters WHERE topic = $1 GROUP BY reason',
      [topic],
      database,
    );
    expect(new Map(dead.map((d) => [d.reason, Number(d.n)]))).toEqual(reasons);

    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
  } finally {
    expect(await service.stop('SIGTERM')).toBe(0);
  }
});
