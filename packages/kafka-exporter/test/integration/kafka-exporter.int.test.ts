import { randomBytes } from 'node:crypto';
import { migrate } from '@reelwatch/ingestion';
import {
  type KafkaCluster,
  lintMetrics,
  type MetricFamily,
  type PostgresCluster,
  parseExposition,
  sendRaw,
  startKafka,
  startPostgres,
  waitFor,
} from '@reelwatch/testkit';
import { type Admin, type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { type RunningKafkaExporter, startKafkaExporter } from '../../src/app';
import { configSchema, toExporterConfig } from '../../src/config';
import { loadCatalogue } from '../catalogue';

// The mock cluster (librdkafka 2.0.2) cannot produce these, whatever the exporter does.
const MOCK_CANNOT: Record<string, string> = {
  kafka_consumergroup_members:
    'librdkafka’s mock cluster does not implement DescribeGroups (kafkajs: "does not support the requested API version")',
  kafka_consumergroupzookeeper_lag_zookeeper:
    'off in kafka_exporter’s default config (--use.consumelag.zookeeper); ZooKeeper offsets are not implemented here',
};

const quiet = pino({ level: 'silent' });
const id = randomBytes(4).toString('hex');
const TOPIC_A = `events-a-${id}`;
const TOPIC_B = `events-b-${id}`;
const G_ACTIVE = `active-${id}`;
const G_STOPPED = `stopped-${id}`;
const G_STORED = `ingestion-${id}`;

let cluster: KafkaCluster;
let postgres: PostgresCluster;
let pool: pg.Pool;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let active: Consumer;
let app: RunningKafkaExporter;
const cleanups: Array<() => Promise<unknown>> = [];

async function produce(topic: string, count: number): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
  });
}

/** A consumer of `topics` that reads everything there is and commits it; stopped unless `keep`. */
async function consumeAll(groupId: string, topics: string[], keep = false): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 200,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
  });
  cleanups.push(() => consumer.disconnect().catch(() => undefined));
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ autoCommitInterval: 100, eachMessage: async () => undefined });
  await waitFor(
    async () => {
      const committed = await admin.fetchOffsets({ groupId, topics });
      const highs = await Promise.all(topics.map((t) => admin.fetchTopicOffsets(t)));
      const behind = topics.some((t, i) =>
        (highs[i] ?? []).some((h) => {
          const c = committed.find((x) => x.topic === t)?.partitions.find((p) => p.partition === h.partition);
          return h.high !== '0' && c?.offset !== h.high;
        }),
      );
      return behind ? undefined : true;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `group ${groupId} to commit every offset` },
  );
  if (!keep) await consumer.disconnect();
  return consumer;
}

interface Scrape {
  status: number;
  text: string;
  families: Map<string, MetricFamily>;
  help: Map<string, string>;
  ms: number;
}

async function scrape(): Promise<Scrape> {
  const began = Date.now();
  const res = await fetch(`${app.server.url}/metrics`);
  const text = await res.text();
  const ms = Date.now() - began;
  const parsed = parseExposition(text);
  expect(parsed.problems).toEqual([]);
  const help = new Map<string, string>();
  for (const m of text.matchAll(/^# HELP (\S+) (.*)$/gm)) help.set(m[1] as string, m[2] as string);
  return { status: res.status, text, families: new Map(parsed.families.map((f) => [f.name, f])), help, ms };
}

function value(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const found = families
    .get(name)
    ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found === undefined ? undefined : Number(found.value);
}

beforeAll(async () => {
  cluster = await startKafka({ brokers: 3 });
  cleanups.push(() => cluster.destroy());
  postgres = await startPostgres({ replica: false });
  cleanups.push(() => postgres.destroy());
  pool = new pg.Pool({ connectionString: postgres.primary.url(await postgres.createDatabase()), max: 2 });
  cleanups.push(() => pool.end());
  await migrate(pool, quiet);

  kafka = new Kafka({
    clientId: 'kafka-exporter-test',
    brokers: cluster.brokers,
    logLevel: logLevel.NOTHING,
  });
  admin = kafka.admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
  producer = kafka.producer();
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  // metadata first, so every consumer sees all partitions at once (the mock auto-creates topics)
  await admin.fetchTopicMetadata({ topics: [TOPIC_A, TOPIC_B] });
  await produce(TOPIC_A, 40);
  await produce(TOPIC_B, 12);

  active = await consumeAll(G_ACTIVE, [TOPIC_A], true);
  await consumeAll(G_STOPPED, [TOPIC_A, TOPIC_B]);
  await consumeAll(G_STORED, [TOPIC_A]);
  // the stopped member misses these: its lag grows
  await produce(TOPIC_B, 9);

  // ingestion's own record of G_STORED: partition 0 as Kafka has it, partition 1 two behind, 2 unset
  const committed = await admin.fetchOffsets({ groupId: G_STORED, topics: [TOPIC_A] });
  const next = (p: number) => Number(committed[0]?.partitions.find((x) => x.partition === p)?.offset);
  await pool.query(
    `INSERT INTO ingestion_offsets (consumer_group, topic, partition, last_offset) VALUES
       ($1, $2, 0, $3), ($1, $2, 1, $4), ($1, $2, 2, -1)`,
    [G_STORED, TOPIC_A, next(0) - 1, next(1) - 3],
  );

  const raw = configSchema.parse({
    KAFKA_EXPORTER_KAFKA_SERVER: cluster.brokers.join(','),
    KAFKA_EXPORTER_WEB_LISTEN_ADDRESS: '127.0.0.1:0',
    // the mock cannot list groups: name two, and G_STORED is found in the stored offsets
    KAFKA_EXPORTER_GROUPS: `${G_ACTIVE},${G_STOPPED}`,
    KAFKA_EXPORTER_DATABASE_URL: postgres.primary.url(
      (await pool.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db as string,
    ),
    KAFKA_EXPORTER_COLLECTION_TIMEOUT: '2s',
    KAFKA_EXPORTER_REQUEST_TIMEOUT: '4s',
  });
  app = await startKafkaExporter(toExporterConfig(raw), quiet);
  cleanups.push(() => app.close());
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}, 60_000);

describe('kafka-exporter against a 3-broker mock cluster and ingestion offsets in PostgreSQL', () => {
  test('every catalogue name the mock can produce is emitted, with upstream type and labels; the rest are listed with the reason', async () => {
    const { status, families, help, text } = await scrape();
    expect(status).toBe(200);
    // upstream's names are kept as they are (kafka_brokers is a gauge without a unit)
    const { commit, entries } = loadCatalogue();
    expect(await lintMetrics(text, { allowNames: entries.map((e) => e.name), maxLabelValues: 1000 })).toEqual(
      [],
    );
    const emitted = entries.filter((e) => families.has(e.name));
    const missing = entries.filter((e) => !families.has(e.name));
    console.log(
      `kafka-exporter catalogue: ${emitted.length}/${entries.length} emitted (upstream ${commit.slice(0, 12)})\n` +
        missing.map((e) => `  not emitted: ${e.name}: ${MOCK_CANNOT[e.name] ?? 'NO REASON'}`).join('\n'),
    );
    expect(missing.map((e) => e.name).sort()).toEqual(Object.keys(MOCK_CANNOT).sort());
    for (const e of emitted) {
      const family = families.get(e.name) as MetricFamily;
      expect({ name: e.name, type: family.type, help: help.get(e.name) }).toEqual({
        name: e.name,
        type: e.type,
        help: e.help,
      });
      for (const s of family.samples)
        expect({ name: e.name, labels: Object.keys(s.labels) }).toEqual({
          name: e.name,
          labels: e.labels,
        });
    }
  });

  test('topic and partition series equal what kafkajs admin reports', async () => {
    const { families } = await scrape();
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC_A, TOPIC_B] });
    const cluster = await admin.describeCluster();
    expect(value(families, 'kafka_brokers', {})).toBe(cluster.brokers.length);
    expect(value(families, 'kafka_brokers', {})).toBe(3);
    for (const b of cluster.brokers)
      expect(
        value(families, 'kafka_broker_info', { id: String(b.nodeId), address: `${b.host}:${b.port}` }),
      ).toBe(1);
    for (const t of topics) {
      const offsets = await admin.fetchTopicOffsets(t.name);
      expect(value(families, 'kafka_topic_partitions', { topic: t.name })).toBe(t.partitions.length);
      for (const p of t.partitions) {
        const labels = { topic: t.name, partition: String(p.partitionId) };
        const o = offsets.find((x) => x.partition === p.partitionId);
        expect({
          labels,
          leader: value(families, 'kafka_topic_partition_leader', labels),
          current: value(families, 'kafka_topic_partition_current_offset', labels),
          oldest: value(families, 'kafka_topic_partition_oldest_offset', labels),
          replicas: value(families, 'kafka_topic_partition_replicas', labels),
          isr: value(families, 'kafka_topic_partition_in_sync_replica', labels),
          preferred: value(families, 'kafka_topic_partition_leader_is_preferred', labels),
          under: value(families, 'kafka_topic_partition_under_replicated_partition', labels),
        }).toEqual({
          labels,
          leader: p.leader,
          current: Number(o?.high),
          oldest: Number(o?.low),
          replicas: p.replicas.length,
          isr: p.isr.length,
          preferred: p.leader === p.replicas[0] ? 1 : 0,
          under: p.isr.length < p.replicas.length ? 1 : 0,
        });
      }
    }
  });

  test('consumer group offsets and lag equal kafkajs admin; the stopped member shows its lag', async () => {
    const { families } = await scrape();
    for (const group of [G_ACTIVE, G_STOPPED, G_STORED]) {
      const committed = await admin.fetchOffsets({ groupId: group, topics: [TOPIC_A, TOPIC_B] });
      for (const t of committed) {
        if (t.partitions.every((p) => p.offset === '-1')) {
          expect(
            value(families, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic: t.topic }),
          ).toBeUndefined();
          continue;
        }
        const highs = await admin.fetchTopicOffsets(t.topic);
        let lagSum = 0;
        for (const p of t.partitions) {
          const labels = { consumergroup: group, topic: t.topic, partition: String(p.partition) };
          const high = Number(highs.find((h) => h.partition === p.partition)?.high);
          const lag = p.offset === '-1' ? -1 : high - Number(p.offset);
          if (p.offset !== '-1') lagSum += lag;
          expect({ labels, offset: value(families, 'kafka_consumergroup_current_offset', labels) }).toEqual({
            labels,
            offset: Number(p.offset),
          });
          expect({ labels, lag: value(families, 'kafka_consumergroup_lag', labels) }).toEqual({
            labels,
            lag,
          });
        }
        expect(value(families, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic: t.topic })).toBe(
          lagSum,
        );
      }
    }
    expect(value(families, 'kafka_consumergroup_lag_sum', { consumergroup: G_STOPPED, topic: TOPIC_B })).toBe(
      9,
    );
    expect(value(families, 'kafka_consumergroup_lag_sum', { consumergroup: G_ACTIVE, topic: TOPIC_A })).toBe(
      0,
    );
  });

  test('stored offsets and their gap to Kafka equal the PostgreSQL rows and kafkajs admin', async () => {
    const { families } = await scrape();
    const { rows } = await pool.query<{ partition: number; last_offset: string }>(
      'SELECT partition, last_offset::text FROM ingestion_offsets WHERE consumer_group = $1 ORDER BY partition',
      [G_STORED],
    );
    const committed = await admin.fetchOffsets({ groupId: G_STORED, topics: [TOPIC_A] });
    for (const r of rows) {
      const labels = { consumergroup: G_STORED, topic: TOPIC_A, partition: String(r.partition) };
      const stored = value(families, 'kafka_consumergroup_stored_offset', labels);
      const gap = value(families, 'kafka_consumergroup_stored_offset_gap', labels);
      if (r.last_offset === '-1') {
        expect({ labels, stored, gap }).toEqual({ labels, stored: undefined, gap: undefined });
        continue;
      }
      const inKafka = Number(committed[0]?.partitions.find((p) => p.partition === r.partition)?.offset);
      expect({ labels, stored, gap }).toEqual({
        labels,
        stored: Number(r.last_offset) + 1,
        gap: inKafka - (Number(r.last_offset) + 1),
      });
    }
    expect(
      value(families, 'kafka_consumergroup_stored_offset_gap', { consumergroup: G_STORED, partition: '0' }),
    ).toBe(0);
    expect(
      value(families, 'kafka_consumergroup_stored_offset_gap', { consumergroup: G_STORED, partition: '1' }),
    ).toBe(2);
    expect(value(families, 'kafka_exporter_scrape_collector_success', { collector: 'stored-offsets' })).toBe(
      1,
    );
  });

  test('a hung cluster: 200 within the deadline, kafka_up 0, collectors failed and counted, and scrapes join one collection', async () => {
    const before = await scrape();
    expect(value(before.families, 'kafka_up', {})).toBe(1);
    const failuresBefore = value(before.families, 'kafka_exporter_scrape_collector_failures_total', {
      collector: 'topics',
    }) as number;
    const started = app.exporter.collectionsStarted;
    cluster.suspend();
    try {
      // two at once share one scrape; then two more in a row: the request timeout (4 s) outlives
      // the 2 s deadline, so the first collection is still running and is joined, not repeated
      const results = [...(await Promise.all([scrape(), scrape()])), await scrape()];
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(r.ms).toBeLessThan(3_500);
        expect(value(r.families, 'kafka_up', {})).toBe(0);
        expect(value(r.families, 'kafka_exporter_scrape_collector_success', { collector: 'topics' })).toBe(0);
      }
      expect(app.exporter.collectionsStarted - started).toBe(1);
      const last = results[results.length - 1]?.families as Map<string, MetricFamily>;
      expect(value(last, 'kafka_exporter_scrape_collector_failures_total', { collector: 'topics' })).toBe(
        failuresBefore + 2,
      );
    } finally {
      cluster.resume();
    }
    await waitFor(async () => (value((await scrape()).families, 'kafka_up', {}) === 1 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'kafka_up 1 after the cluster resumes',
    });
  });

  test('a malformed request target is a 400, not a failure of ours', async () => {
    // read as a path on this server (new URL(target, base) would have thrown: a 500)
    expect(await sendRaw(app.server.url, { method: 'GET', path: '//evil:99999/metrics' })).toBe(404);
    expect(await sendRaw(app.server.url, { method: 'GET', path: 'metrics' })).toBe(400);
    expect(await sendRaw(app.server.url, { method: 'GET', path: '/metrics' })).toBe(200);
  });

  test('a cluster gone: 200 with kafka_up 0 and every Kafka collector failed', async () => {
    await active.disconnect();
    await producer.disconnect();
    await admin.disconnect();
    await cluster.destroy();
    const r = await scrape();
    expect(r.status).toBe(200);
    expect(value(r.families, 'kafka_up', {})).toBe(0);
    for (const collector of ['brokers', 'topics', 'consumergroups'])
      expect({
        collector,
        ok: value(r.families, 'kafka_exporter_scrape_collector_success', { collector }),
      }).toEqual({
        collector,
        ok: 0,
      });
    expect(r.families.has('kafka_topic_partition_current_offset')).toBe(false);
  });
});
