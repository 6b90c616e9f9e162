// End-to-end check of the stand-in with kafkajs, from another container on the broker's network
// (not part of the image; .dockerignore leaves it out):
//   docker run --rm --network <net> -e NODE_PATH=/deps \
//     -v <kafkajs package dir>:/deps/kafkajs:ro -v <this dir>:/smoke:ro \
//     node:22.23.5-bookworm-slim node /smoke/kafkajs-smoke.js
// Expects a broker at $BROKER (default kafka:9092) with auto.create.topics.enable=false and the
// topic $TOPIC (default movie-events) created with $PARTITIONS (default 6) partitions.
const assert = require('node:assert/strict');
const { Kafka, logLevel } = require('kafkajs');

const BROKER = process.env.BROKER || 'kafka:9092';
const TOPIC = process.env.TOPIC || 'movie-events';
const PARTITIONS = Number(process.env.PARTITIONS || 6);
const PER_PARTITION = 25;
// Unique per run: the broker may already hold names of an earlier run (and pid is 1 in a container).
const RUN = require('node:crypto').randomBytes(4).toString('hex');
const GROUP = `smoke-group-${RUN}`;

const kafka = new Kafka({
  clientId: 'standin-smoke',
  brokers: [BROKER],
  logLevel: logLevel.NOTHING,
  retry: { retries: 3 },
});
const step = (msg) => console.log(`[smoke] ${msg}`);

async function main() {
  const admin = kafka.admin();
  await admin.connect();

  const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  assert.equal(md.topics[0].partitions.length, PARTITIONS, 'partition count of the created topic');
  step(`${TOPIC} has ${PARTITIONS} partitions`);

  // kafkajs sends CreateTopics to the controller named in Metadata: the stand-in answers it.
  const extra = `smoke-created-${RUN}`;
  assert.equal(await admin.createTopics({ topics: [{ topic: extra, numPartitions: 3 }] }), true);
  assert.equal(
    await admin.createTopics({ topics: [{ topic: extra, numPartitions: 3 }] }),
    false,
    'second create: already exists',
  );
  const extraMd = await admin.fetchTopicMetadata({ topics: [extra] });
  assert.equal(extraMd.topics[0].partitions.length, 3);
  await assert.rejects(admin.createTopics({ topics: [{ topic: `bad-${RUN}`, numPartitions: 0 }] }), (err) => {
    assert.equal(err.errors?.[0]?.type, 'INVALID_PARTITIONS');
    return true;
  });
  step('admin.createTopics works (created, already exists, invalid partitions)');

  // auto.create.topics.enable=false: a producer (allowAutoTopicCreation defaults to true) fails.
  const missing = `smoke-missing-${RUN}`;
  const p0 = kafka.producer({ retry: { retries: 1 } });
  await p0.connect();
  await assert.rejects(
    p0.send({ topic: missing, messages: [{ value: 'x' }] }),
    /does not host this topic-partition|UNKNOWN_TOPIC/i,
  );
  await p0.disconnect();
  assert.ok(!(await admin.listTopics()).includes(missing), 'no topic was auto-created');
  step('no auto-creation with auto.create.topics.enable=false');

  // What earlier runs left in the topic: a new group reads it too (fromBeginning).
  const before = new Map((await admin.fetchTopicOffsets(TOPIC)).map((p) => [p.partition, Number(p.high)]));

  // The group first: two members, then the messages, so that both share the partitions.
  // (The mock delays a join of an empty group 3 s, and a rebalance of a running one by
  // sessionTimeout - 1 s: a short sessionTimeout keeps a late second join quick.)
  const seen = new Set();
  const members = [];
  const joins = [];
  for (let m = 0; m < 2; m++) {
    const consumer = kafka.consumer({
      groupId: GROUP,
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 200,
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      joins[m] = { partitions: e.payload.memberAssignment[TOPIC] ?? [] };
    });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    members.push(consumer);
  }
  await Promise.all(
    members.map((c, m) =>
      c.run({
        eachMessage: async ({ partition, message }) => {
          seen.add(`${partition}/${message.offset}/${m}`);
        },
      }),
    ),
  );
  const shared = () =>
    joins[0] &&
    joins[1] &&
    joins[0].partitions.length > 0 &&
    joins[1].partitions.length > 0 &&
    new Set([...joins[0].partitions, ...joins[1].partitions]).size === PARTITIONS &&
    joins[0].partitions.length + joins[1].partitions.length === PARTITIONS;
  let deadline = Date.now() + 30000;
  while (!shared() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(shared(), `both members share the partitions: ${JSON.stringify(joins)}`);
  step(
    `group of two: member 0 has ${JSON.stringify(joins[0].partitions)}, member 1 has ${JSON.stringify(joins[1].partitions)}`,
  );

  const producer = kafka.producer();
  await producer.connect();
  for (let p = 0; p < PARTITIONS; p++) {
    await producer.send({
      topic: TOPIC,
      messages: Array.from({ length: PER_PARTITION }, (_, i) => ({
        partition: p,
        key: `k${p}-${i}`,
        value: `v${p}-${i}`,
      })),
    });
  }
  // acks=0: no response from a real broker; kafkajs does not wait for one.
  await producer.send({ topic: TOPIC, acks: 0, messages: [{ partition: 0, value: 'acks0' }] });
  await producer.disconnect();
  const expected = new Map(
    Array.from({ length: PARTITIONS }, (_, p) => [p, before.get(p) + PER_PARTITION + (p === 0 ? 1 : 0)]),
  );
  const total = [...expected.values()].reduce((a, b) => a + b, 0);
  step(
    `produced ${PARTITIONS * PER_PARTITION + 1} messages to ${PARTITIONS} partitions (one with acks=0); ${total} to consume`,
  );

  deadline = Date.now() + 60000;
  while (seen.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(seen.size, total, `consumed ${seen.size} of ${total}`);
  const byMember = [0, 1].map((m) => [...seen].filter((s) => s.endsWith(`/${m}`)).length);
  step(`consumed all ${total}: member 0 got ${byMember[0]}, member 1 got ${byMember[1]}`);
  assert.ok(byMember[0] > 0 && byMember[1] > 0, 'both members of the group consumed');
  // Offsets are committed on disconnect at the latest.
  await Promise.all(members.map((c) => c.disconnect()));

  const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  for (const { partition, offset } of committed[0].partitions) {
    assert.equal(Number(offset), expected.get(partition), `committed offset of partition ${partition}`);
  }
  const high = await admin.fetchTopicOffsets(TOPIC);
  for (const { partition, high: h, low } of high) {
    assert.equal(Number(h), expected.get(partition), `high watermark of partition ${partition}`);
    assert.equal(Number(low), 0);
  }
  step(
    `fetchOffsets ${JSON.stringify(committed[0].partitions.map((p) => p.offset))}, fetchTopicOffsets high ${JSON.stringify(high.map((p) => p.high))}`,
  );
  await admin.disconnect();
  step('OK');
}

main().catch((err) => {
  console.error('[smoke] FAILED', err);
  process.exit(1);
});
