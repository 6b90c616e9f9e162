import { findBinary, type KafkaCluster, startKafka } from '@reelwatch/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { readTopic, watermarks } from '../src/accounting';

// The accounting's read-back of the topic, against librdkafka's mock cluster: every message from
// the low to the high watermark, byte-exact (newlines, invalid UTF-8, empty and null values),
// also right after the broker was hung, when a new consumer group would wait for an assignment.
let kafka: KafkaCluster;
const kcat = () => ({ command: [findBinary('kcat', 'kcat')], brokers: kafka.brokers.join(',') });
beforeAll(async () => {
  kafka = await startKafka();
}, 30_000);
afterAll(async () => {
  await kafka?.destroy();
});

test('reads every message of every partition exactly, also after a broker hang', async () => {
  const client = new Kafka({
    brokers: kafka.brokers,
    clientId: 'read-topic-test',
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  await admin.fetchTopicMetadata({ topics: ['accounting'] }); // the mock creates it (4 partitions)
  const producer = client.producer();
  await producer.connect();
  const odd = [
    'line one\nline two',
    Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    '',
    null,
    'x'.repeat(200_000),
    'plain {"type":"watch"}',
  ];
  const sent: (string | Buffer | null)[] = [];
  for (let i = 0; i < 2_000; i++) sent.push(i % 50 < odd.length ? odd[i % 50]! : `event ${i}`);
  for (let i = 0; i < sent.length; i += 200)
    await producer.send({
      topic: 'accounting',
      messages: sent.slice(i, i + 200).map((value, j) => ({ key: String(i + j), value })),
    });
  await producer.disconnect();

  kafka.suspend();
  await new Promise((r) => setTimeout(r, 3_000));
  kafka.resume();

  const marks = await watermarks(kcat(), 'accounting');
  expect(marks).toEqual(
    await admin
      .fetchTopicOffsets('accounting')
      .then((o) => o.map(({ partition, low, high }) => ({ partition, low, high }))),
  );
  await admin.disconnect();
  expect(marks.length).toBe(4);
  expect(marks.reduce((n, m) => n + Number(m.high) - Number(m.low), 0)).toBe(sent.length);
  const read: string[] = [];
  await readTopic(kcat(), 'accounting', marks, (value) => read.push(value));
  const asText = (v: string | Buffer | null) => (v === null ? '' : Buffer.from(v).toString('utf8'));
  expect(read.length).toBe(sent.length);
  expect(read.slice().sort()).toEqual(sent.map(asText).sort());
}, 120_000);

test('fails with the partition named when a partition holds fewer messages than its watermarks say', async () => {
  await expect(
    readTopic(kcat(), 'accounting', [{ partition: 0, low: '0', high: '999999' }], () => undefined),
  ).rejects.toThrow(/partition 0: read \d+ messages from offset 0, expected 999999/);
}, 120_000);
