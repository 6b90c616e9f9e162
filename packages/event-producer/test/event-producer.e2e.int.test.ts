import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  freePort,
  type KafkaCluster,
  lintMetrics,
  type ServiceProcess,
  startKafka,
  startService,
  waitFor,
} from '@reelwatch/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { EventGenerator } from '../src/event-generator';

const ENTRY = path.resolve(__dirname, '../dist/main.js');
let kafka: KafkaCluster;
const services: ServiceProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: build first (pnpm build)`);
  kafka = await startKafka();
}, 60_000);
afterAll(async () => {
  for (const s of services) await s.kill9().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await kafka?.destroy();
});

async function start(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const service = await startService({
    entry: ENTRY,
    port,
    env: {
      KAFKA_BROKERS: kafka.brokers.join(','),
      PRODUCER_HTTP_HOST: '127.0.0.1',
      PRODUCER_HTTP_PORT: String(port),
      ...env,
    },
  });
  services.push(service);
  return service;
}

async function readTopic(topic: string, count: number) {
  const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  const consumer = client.consumer({ groupId: `read-${topic}`, maxWaitTimeInMs: 200 });
  const messages: { key: string | null; value: string; partition: number; timestamp: number }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        messages.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          partition,
          timestamp: Number(message.timestamp),
        });
      },
    });
    await waitFor(() => messages.length >= count, {
      timeoutMs: 30_000,
      what: `${count} messages on ${topic}`,
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

const sum = (text: string, name: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((s, l) => s + Number(l.split(' ').pop()), 0);

test('the event-producer generates a seeded stream keyed by user id, in order per key, and counts what Kafka acknowledged', async () => {
  const topic = `gen-${Date.now()}`;
  const service = await start({
    PRODUCER_TOPIC: topic,
    PRODUCER_RATE: '4000',
    PRODUCER_SEED: '9',
    PRODUCER_MALFORMED_RATIO: '0.01',
  });
  await waitFor(
    async () =>
      sum(await (await fetch(`${service.url}/metrics`)).text(), 'reelwatch_producer_events_total') >= 3000,
    {
      timeoutMs: 30_000,
      what: '3000 events produced',
    },
  );
  const text = await (await fetch(`${service.url}/metrics`)).text();
  expect(await lintMetrics(text)).toEqual([]);
  expect(sum(text, 'reelwatch_producer_send_duration_seconds_count')).toBeGreaterThan(0);
  expect(sum(text, 'reelwatch_producer_send_errors_total')).toBe(0);
  expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  expect(await service.stop('SIGTERM')).toBe(0);
  const produced = sum(text, 'reelwatch_producer_events_total');

  const messages = await readTopic(topic, produced);
  // Same seed -> same stream (event times are the wall clock, so compare what follows the time).
  // The messages read can run ahead in one partition and behind in another, so compare each key's
  // lines with a prefix of that key's lines in a longer generated stream.
  const expected = [
    ...new EventGenerator({ seed: 9, malformedRatio: 0.01 }).take(messages.length * 2 + 10_000),
  ];
  const perKey = (items: { key: string | null; line: string }[]) => {
    const map = new Map<string, string[]>();
    for (const i of items)
      map.set(i.key ?? '', [...(map.get(i.key ?? '') ?? []), i.line.slice(i.line.indexOf(',') + 1)]);
    return map;
  };
  const got = perKey(messages.map((m) => ({ key: m.key, line: m.value })));
  const want = perKey(expected.map((e) => ({ key: e.key, line: e.line })));
  for (const [key, lines] of got) expect(lines).toEqual(want.get(key)!.slice(0, lines.length));
  for (const m of messages) {
    const user = /^[^,]*,(\d+),/.exec(m.value)?.[1];
    if (user) expect(m.key).toBe(user);
  }
  // A key always lands in the same partition.
  const partitionOf = new Map<string, number>();
  for (const m of messages) {
    expect(partitionOf.get(m.key ?? '') ?? m.partition).toBe(m.partition);
    partitionOf.set(m.key ?? '', m.partition);
  }
}, 90_000);

test('the event-producer replays a file at its original pace, lines unchanged, blank lines skipped', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replay-'));
  dirs.push(dir);
  const lines = [
    '2026-01-01T00:00:00.000Z,5,GET /rate/x+2000=3',
    '2026-01-01T00:00:00.500Z,6,GET /data/m/x+2000/1.mpg',
    'not an event',
    '2026-01-01T00:00:01.000Z,5,GET /data/m/x+2000/2.mpg',
    '2026-01-01T00:00:01.600Z,7,recommendation request h:1, status 200, result: x+2000, 12 ms',
  ];
  const file = path.join(dir, 'events.log');
  writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n\n${lines.slice(2).join('\r\n')}\n`);
  const topic = `replay-${Date.now()}`;
  const service = await start({ PRODUCER_TOPIC: topic, PRODUCER_MODE: 'replay', PRODUCER_REPLAY_FILE: file });
  const messages = await readTopic(topic, lines.length);
  expect(await service.stop('SIGTERM')).toBe(0);
  expect(messages.map((m) => m.value).sort()).toEqual([...lines].sort());
  expect(messages.find((m) => m.value === lines[0])!.key).toBe('5');
  const times = messages.map((m) => m.timestamp);
  // Original pace: 1.6 s of event time takes about 1.6 s to send.
  expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1400);
}, 60_000);
