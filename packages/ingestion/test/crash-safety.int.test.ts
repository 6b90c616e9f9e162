import { EventGenerator, type GeneratedEvent } from '@reelwatch/event-producer';
import { type ServiceProcess, waitFor } from '@reelwatch/testkit';
import { appliedCount, produceEvents, startIngestion, uniqueName } from './support/pipeline';
import { databaseTables, describeDifferences, referenceTables } from './support/reference';
import { useServers } from './support/servers';

const N = 200_000;
const KILLS = 6;
let service: ServiceProcess | undefined;

const servers = useServers({ built: true });
servers.onTeardown(async () => {
  await service?.kill9().catch(() => undefined);
});

test('kill -9 of the ingestion process at random moments during a 200,000-event run ends with the database equal to applying every event exactly once', async () => {
  const { kafka, postgres } = servers;
  const events: GeneratedEvent[] = [...new EventGenerator({ seed: 200, malformedRatio: 0.002 }).take(N)];
  const topic = uniqueName('crash');
  const group = uniqueName('g');
  const database = await postgres.createDatabase();
  const target = { brokers: kafka.brokers, topic, group, databaseUrl: postgres.primary.url(database) };

  // The stream keeps arriving while the consumer is being killed: 40 chunks over ~48 s, longer than the
  // kill cycles (~6 s each: restart, group join, progress), so every kill lands before the stream ends.
  await produceEvents(kafka.brokers, topic, events.slice(0, 5000));
  const producing = (async () => {
    for (let i = 5000; i < N; i += 5000) {
      await new Promise((r) => setTimeout(r, 1200));
      await produceEvents(kafka.brokers, topic, events.slice(i, i + 5000));
    }
  })();

  const killedAt: number[] = [];
  service = await startIngestion(target);
  for (let k = 0; k < KILLS; k++) {
    const before = await appliedCount(postgres.primary, database, group);
    // Let it make some progress, then kill at a random moment (mid-batch, mid-commit, mid-join...).
    await waitFor(async () => (await appliedCount(postgres.primary, database, group)) > before, {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: `progress after restart ${k}`,
    });
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
    killedAt.push(await appliedCount(postgres.primary, database, group));
    await service.kill9();
    service = await startIngestion(target);
  }
  await producing;
  await waitFor(async () => (await appliedCount(postgres.primary, database, group)) === N, {
    timeoutMs: 120_000,
    intervalMs: 250,
    what: `all ${N} events applied after ${KILLS} kills`,
  });

  expect(killedAt).toHaveLength(KILLS);
  for (const applied of killedAt) expect(applied).toBeLessThan(N);
  const tables = await databaseTables((sql) => postgres.primary.query(sql, [], database));
  expect(describeDifferences(tables, referenceTables(events))).toBe('');
  expect(await service.stop('SIGTERM')).toBe(0);
  service = undefined;
}, 300_000);

test('SIGTERM in the middle of a backlog finishes the batch in flight, leaves the group and exits 0 within the deadline; a restart completes to the reference', async () => {
  const { kafka, postgres } = servers;
  const events: GeneratedEvent[] = [
    ...new EventGenerator({ seed: 201, malformedRatio: 0.002 }).take(100_000),
  ];
  const topic = uniqueName('sigterm');
  const group = uniqueName('g');
  const database = await postgres.createDatabase();
  const target = { brokers: kafka.brokers, topic, group, databaseUrl: postgres.primary.url(database) };
  await produceEvents(kafka.brokers, topic, events);

  service = await startIngestion(target, { INGESTION_SHUTDOWN_DEADLINE_MS: '10000' });
  await waitFor(async () => (await appliedCount(postgres.primary, database, group)) > 0, {
    timeoutMs: 60_000,
    intervalMs: 10,
    what: 'the first batch applied',
  });
  const stopping = Date.now();
  expect(await service.stop('SIGTERM')).toBe(0);
  expect(Date.now() - stopping).toBeLessThan(10_000);
  expect(service.output()).toContain('shutdown complete');
  const afterStop = await appliedCount(postgres.primary, database, group);
  expect(afterStop).toBeGreaterThan(0);
  expect(afterStop).toBeLessThan(events.length); // it really stopped in the middle

  service = await startIngestion(target);
  await waitFor(async () => (await appliedCount(postgres.primary, database, group)) === events.length, {
    timeoutMs: 90_000,
    intervalMs: 200,
    what: 'all events applied after the restart',
  });
  const tables = await databaseTables((sql) => postgres.primary.query(sql, [], database));
  expect(describeDifferences(tables, referenceTables(events))).toBe('');
  expect(await service.stop('SIGTERM')).toBe(0);
  service = undefined;
}, 180_000);
