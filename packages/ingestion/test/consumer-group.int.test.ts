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
const services: ServiceProcess[] = [];

const servers = useServers({ built: true });
servers.onTeardown(async () => {
  for (const s of services) await s.kill9().catch(() => undefined);
});

/** The partitions a process currently owns: it exports lag only for its assigned partitions. */
async function ownedPartitions(service: ServiceProcess): Promise<number[]> {
  const metrics = parseMetrics(await scrape(service.url));
  return [...metrics.keys()]
    .filter((k) => k.startsWith('reelwatch_ingestion_consumer_lag_messages{'))
    .map((k) => Number(/partition="(\d+)"/.exec(k)![1]))
    .sort();
}

test('two ingestion processes in one group share the partitions, and when one stops the other takes over to the reference state', async () => {
  const { kafka, postgres } = servers;
  const events: GeneratedEvent[] = [...new EventGenerator({ seed: 400, malformedRatio: 0.002 }).take(N)];
  const topic = uniqueName('group');
  const group = uniqueName('g');
  const database = await postgres.createDatabase();
  const target = { brokers: kafka.brokers, topic, group, databaseUrl: postgres.primary.url(database) };
  await produceEvents(kafka.brokers, topic, events.slice(0, N / 2));

  const [a, b] = await Promise.all([startIngestion(target), startIngestion(target)]);
  services.push(a!, b!);
  const shared = await waitFor(
    async () => {
      const [pa, pb] = [await ownedPartitions(a!), await ownedPartitions(b!)];
      return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4 ? { pa, pb } : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200, what: 'both processes to own partitions' },
  );
  expect([...shared.pa, ...shared.pb].sort()).toEqual([0, 1, 2, 3]);
  await waitFor(async () => (await appliedCount(postgres.primary, database, group)) === N / 2, {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'the first half applied by both',
  });

  expect(await a!.stop('SIGTERM')).toBe(0);
  await produceEvents(kafka.brokers, topic, events.slice(N / 2));
  await waitFor(async () => (await ownedPartitions(b!)).length === 4, {
    timeoutMs: 45_000,
    intervalMs: 200,
    what: 'the remaining process to own all 4 partitions',
  });
  await waitFor(async () => (await appliedCount(postgres.primary, database, group)) === N, {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: `all ${N} events applied`,
  });
  const tables = await databaseTables((sql) => postgres.primary.query(sql, [], database));
  expect(describeDifferences(tables, referenceTables(events))).toBe('');
  const metrics = parseMetrics(await scrape(b!.url));
  expect(metrics.get('reelwatch_ingestion_rebalances_total')).toBeGreaterThanOrEqual(2);
  expect(await b!.stop('SIGTERM')).toBe(0);
}, 240_000);
