import path from 'node:path';
import { run } from './run';

// Runs in a throwaway container on the project's network, as any other Kafka client there would:
// kafkajs (the repository's own copy, mounted read-only) asks the broker for each partition's
// high watermark, i.e. how many messages the topic holds.
const SCRIPT = `
const { Kafka, logLevel } = require('/opt/kafkajs');
const admin = new Kafka({ clientId: 'compose-test', brokers: [process.argv[1]], logLevel: logLevel.NOTHING }).admin();
admin.connect()
  .then(() => admin.fetchTopicOffsets(process.argv[2]))
  .then((p) => { console.log(JSON.stringify(p.map((x) => ({ partition: x.partition, high: Number(x.high) })))); return admin.disconnect(); })
  .catch((e) => { console.error(e.message); process.exit(1); });
`;

export interface PartitionEnd {
  partition: number;
  high: number;
}

export async function topicEndOffsets(
  network: string,
  nodeImage: string,
  broker: string,
  topic: string,
): Promise<PartitionEnd[]> {
  const kafkajs = path.dirname(require.resolve('kafkajs/package.json'));
  const r = await run(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      network,
      '-v',
      `${kafkajs}:/opt/kafkajs:ro`,
      nodeImage,
      'node',
      '-e',
      SCRIPT,
      broker,
      topic,
    ],
    { timeoutMs: 120_000 },
  );
  return JSON.parse(r.stdout.trim()) as PartitionEnd[];
}
