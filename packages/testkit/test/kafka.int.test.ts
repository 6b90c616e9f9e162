import { randomBytes } from 'node:crypto';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { type KafkaCluster, startKafka } from '../src/kafka';
import { type ResourceSnapshot, remainingLeaks, snapshotResources } from '../src/resources';
import { waitFor } from '../src/wait';

const MESSAGES = 10_000;

describe('startKafka', () => {
  let before: ResourceSnapshot;
  let cluster: KafkaCluster | undefined;
  const disconnects: Array<() => Promise<void>> = [];

  beforeEach(() => {
    before = snapshotResources();
  });

  afterEach(async () => {
    await Promise.all(disconnects.splice(0).map((disconnect) => disconnect().catch(() => {})));
    await cluster?.destroy();
    cluster = undefined;
    expect(await remainingLeaks(before)).toEqual([]);
  });

  test('a kafkajs producer and a two-member consumer group exchange 10,000 messages with committed offsets', async () => {
    cluster = await startKafka({ brokers: 3 });
    expect(cluster.brokers).toHaveLength(3);
    const suffix = randomBytes(4).toString('hex');
    const topic = `testkit-exchange-${suffix}`;
    const groupId = `testkit-group-${suffix}`;
    const kafka = new Kafka({
      clientId: 'testkit-test',
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
    });

    const producer = kafka.producer();
    await producer.connect();
    disconnects.push(() => producer.disconnect());
    // the first produce auto-creates the topic (4 partitions on the mock) before anyone subscribes
    await producer.send({ topic, messages: [{ key: 'warmup', value: 'warmup' }] });

    const admin = kafka.admin();
    await admin.connect();
    disconnects.push(() => admin.disconnect());
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]!.partitions.length;
    expect(partitions).toBeGreaterThan(1);

    const seen = new Map<string, number>();
    const byMember = [0, 0];
    const assigned: number[][] = [[], []];
    const startMember = async (index: number): Promise<Consumer> => {
      const consumer = kafka.consumer({
        groupId,
        sessionTimeout: 10_000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 200, // see kafka.ts: the mock holds empty fetches for the full wait
      });
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assigned[index] = event.payload.memberAssignment[topic] ?? [];
      });
      await consumer.connect();
      disconnects.push(() => consumer.disconnect());
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value!.toString();
          seen.set(value, (seen.get(value) ?? 0) + 1);
          byMember[index]! += 1;
        },
      });
      return consumer;
    };
    await Promise.all([startMember(0), startMember(1)]);
    // produce only once the group is stable with both members, so no rebalance can replay messages
    // Each rebalance on the mock waits sessionTimeout - 1 s (kafka.ts); under a loaded CI machine a
    // member can miss a heartbeat and cause another, so allow several rounds before calling it broken.
    await waitFor(() => assigned.every((p) => p.length > 0) && assigned.flat().length === partitions, {
      timeoutMs: 90_000,
      what: 'both group members to share every partition',
    });

    const batch = 1_000;
    for (let start = 0; start < MESSAGES; start += batch) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: batch }, (_, i) => ({
          key: String(start + i),
          value: `m-${start + i}`,
        })),
      });
    }

    await waitFor(() => seen.size === MESSAGES + 1, {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: `the group to receive ${MESSAGES} messages (received ${seen.size})`,
    });
    const duplicates = [...seen.entries()].filter(([, count]) => count > 1);
    expect(duplicates).toEqual([]);
    expect(byMember[0]).toBeGreaterThan(0);
    expect(byMember[1]).toBeGreaterThan(0);

    // committed offsets: every partition's committed offset reaches its high watermark
    const ends = await admin.fetchTopicOffsets(topic);
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return ends.every((end) => {
          const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset;
          return offset === end.high;
        });
      },
      {
        timeoutMs: 15_000,
        intervalMs: 100,
        what: 'the group to commit every partition up to its high watermark',
      },
    );
    const total = ends.reduce((sum, end) => sum + Number(end.high), 0);
    expect(total).toBe(MESSAGES + 1);
  }, 180_000);

  test('startKafka returns one broker by default', async () => {
    cluster = await startKafka();
    expect(cluster.brokers).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
  });
});
