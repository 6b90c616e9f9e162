// pnpm bench:kafka-exporter — the mock cluster (3 brokers) with 200 topics and 50 consumer groups
// (each committed on 4 topics); median time of one /metrics scrape of ours, and median time of the
// bare kafkajs admin calls the scrape needs (describeCluster, fetchTopicMetadata, fetchTopicOffsets
// per topic with the same concurrency, fetchOffsets per group), alternating in the same process.
// librdkafka's mock gives every topic 4 partitions (hard-coded, see packages/testkit/src/kafka.ts),
// so 200 topics are 800 partitions, not the 2,400 of 12-partition topics.
import { randomBytes } from 'node:crypto';
import { startKafka, waitFor } from '@reelwatch/testkit';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { startKafkaExporter } from '../src/app';
import { configSchema, toExporterConfig } from '../src/config';

const TOPICS = Number(process.env.BENCH_TOPICS ?? 200);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 50);
const TOPICS_PER_GROUP = 4;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const WORKERS = 100;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What one scrape asks Kafka, through kafkajs admin and nothing else. */
async function adminCalls(admin: Admin, groups: string[]): Promise<void> {
  await admin.describeCluster();
  const { topics } = await admin.fetchTopicMetadata();
  const names = topics.map((t) => t.name);
  await eachLimited(names, WORKERS, (t) => admin.fetchTopicOffsets(t));
  await Promise.all(groups.map((groupId) => admin.fetchOffsets({ groupId, topics: names })));
}

async function main(): Promise<void> {
  const id = randomBytes(3).toString('hex');
  const cluster = await startKafka({ brokers: 3 });
  const kafka = new Kafka({ clientId: 'bench', brokers: cluster.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = Array.from({ length: TOPICS }, (_, i) => `bench-${id}-${String(i).padStart(3, '0')}`);
    const groups = Array.from({ length: GROUPS }, (_, i) => `bench-group-${id}-${i}`);
    await admin.fetchTopicMetadata({ topics });
    const producer = kafka.producer();
    await producer.connect();
    await producer.sendBatch({
      acks: -1,
      topicMessages: topics.map((topic) => ({
        topic,
        messages: Array.from({ length: 8 }, (_, i) => ({ key: String(i), value: 'x' })),
      })),
    });
    await producer.disconnect();
    process.stdout.write(
      `${TOPICS} topics x 4 partitions on 3 mock brokers; committing ${GROUPS} groups...\n`,
    );
    const consumers = await Promise.all(
      groups.map(async (groupId, g) => {
        const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
        await consumer.connect();
        for (let k = 0; k < TOPICS_PER_GROUP; k++)
          await consumer.subscribe({
            topic: topics[(g * TOPICS_PER_GROUP + k) % TOPICS] as string,
            fromBeginning: true,
          });
        await consumer.run({ autoCommitInterval: 100, eachMessage: async () => undefined });
        return consumer;
      }),
    );
    await waitFor(
      async () => {
        for (const [g, groupId] of groups.entries()) {
          const mine = Array.from(
            { length: TOPICS_PER_GROUP },
            (_, k) => topics[(g * TOPICS_PER_GROUP + k) % TOPICS] as string,
          );
          const offsets = await admin.fetchOffsets({ groupId, topics: mine });
          if (offsets.some((t) => t.partitions.every((p) => p.offset === '-1'))) return undefined;
        }
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: 'every group to commit offsets' },
    );
    await Promise.all(consumers.map((c) => c.disconnect()));

    const config = toExporterConfig(
      configSchema.parse({
        KAFKA_EXPORTER_KAFKA_SERVER: cluster.brokers.join(','),
        KAFKA_EXPORTER_WEB_LISTEN_ADDRESS: '127.0.0.1:0',
        KAFKA_EXPORTER_GROUPS: groups.join(','),
        KAFKA_EXPORTER_TOPIC_WORKERS: String(WORKERS),
        KAFKA_EXPORTER_COLLECTION_TIMEOUT: '60s',
        KAFKA_EXPORTER_REQUEST_TIMEOUT: '30s',
      }),
    );
    const app = await startKafkaExporter(config, pino({ level: process.env.BENCH_LOG ?? 'silent' }));
    try {
      const scrape = async () => {
        const res = await fetch(`${app.server.url}/metrics`);
        const text = await res.text();
        if (
          res.status !== 200 ||
          !text.includes('kafka_up 1') ||
          text.includes('collector_success{collector="topics"} 0')
        )
          throw new Error(
            `a scrape failed during the benchmark:\n${text
              .split('\n')
              .filter((l) => /^kafka_up|collector_success/.test(l))
              .join('\n')}`,
          );
        return text;
      };
      // warm-up: connections, metadata, JIT
      const first = await scrape();
      await adminCalls(admin, groups);
      const series = first.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
      const ours: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        let t = performance.now();
        await scrape();
        ours.push(performance.now() - t);
        t = performance.now();
        await adminCalls(admin, groups);
        bare.push(performance.now() - t);
      }
      const a = median(ours);
      const b = median(bare);
      process.stdout.write(`series per scrape: ${series}; rounds: ${ROUNDS} (medians)\n`);
      process.stdout.write(
        `kafka-exporter: ${a.toFixed(1)} ms, admin calls ${b.toFixed(1)} ms, ratio ${(a / b).toFixed(2)}\n`,
      );
    } finally {
      await app.close();
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
    await cluster.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:kafka-exporter failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
