import { EventGenerator, type GeneratedEvent } from '@reelwatch/event-producer';
import { type ServiceProcess, waitFor } from '@reelwatch/testkit';
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

const N = 60_000;
let service: ServiceProcess | undefined;

const servers = useServers({ built: true });
servers.onTeardown(async () => {
  await service?.kill9().catch(() => undefined);
});

test('with PostgreSQL stopped for 10 s mid-run, ingestion reports not ready, retries, and recovers by itself to the reference state', async () => {
  const { kafka, postgres } = servers;
  const events: GeneratedEvent[] = [...new EventGenerator({ seed: 300, malformedRatio: 0.002 }).take(N)];
  const topic = uniqueName('outage');
  const group = uniqueName('g');
  const database = await postgres.createDatabase();
  await produceEvents(kafka.brokers, topic, events.slice(0, 20_000));
  service = await startIngestion({
    brokers: kafka.brokers,
    topic,
    group,
    databaseUrl: postgres.primary.url(database),
  });
  const url = service.url;
  await waitFor(async () => (await appliedCount(postgres.primary, database, group)) === 20_000, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: 'the first 20,000 events applied',
  });
  expect((await fetch(`${url}/readyz`)).status).toBe(200);

  await postgres.primary.stop();
  const stoppedAt = Date.now();
  // More of the stream arrives while the database is down.
  await produceEvents(kafka.brokers, topic, events.slice(20_000, 40_000));
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 503, {
    timeoutMs: 9_000,
    intervalMs: 100,
    what: '/readyz to answer 503 while PostgreSQL is down',
  });
  const during = parseMetrics(await scrape(url));
  expect(during.get('reelwatch_ingestion_db_retrying')).toBe(1);
  expect(during.get('reelwatch_ingestion_db_retries_total')).toBeGreaterThan(0);
  // Still not ready, and nothing lost, just before the database comes back.
  await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - stoppedAt) - 500)));
  expect((await fetch(`${url}/readyz`)).status).toBe(503);
  await postgres.primary.start();

  await produceEvents(kafka.brokers, topic, events.slice(40_000));
  await waitFor(async () => (await appliedCount(postgres.primary, database, group)) === N, {
    timeoutMs: 90_000,
    intervalMs: 200,
    what: `all ${N} events applied after PostgreSQL came back`,
  });
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
    timeoutMs: 10_000,
    intervalMs: 100,
    what: '/readyz to answer 200 again',
  });
  const after = parseMetrics(await scrape(url));
  expect(after.get('reelwatch_ingestion_db_retrying')).toBe(0);
  const tables = await databaseTables((sql) => postgres.primary.query(sql, [], database));
  expect(describeDifferences(tables, referenceTables(events))).toBe('');
  expect(await service.stop('SIGTERM')).toBe(0);
  service = undefined;
}, 240_000);
