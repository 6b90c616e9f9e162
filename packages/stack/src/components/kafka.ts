import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { NativeSettings } from '../native/settings';
import { probeTcp } from '../probes';
import type { Runtime, StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, HOST, requireBinary } from './support';

const MOCK_BOOTSTRAP = /Mock cluster (\S+) bootstrap\.servers=(\S+)/;

/** The embedded mock cluster runs (or will run): no KAFKA_BROKERS now, or this run was started without. */
export function embeddedKafka(s: NativeSettings, rt: Runtime): boolean {
  if (rt.kafkaRunId !== undefined) return true;
  if (rt.kafkaBrokers !== undefined) return false;
  return !s.externalKafka;
}

export function kafkaBrokers(s: NativeSettings, rt: Runtime): string {
  return rt.kafkaBrokers ?? s.externalKafka ?? '';
}

export const kafka: StackComponent = {
  name: 'kafka',
  description:
    'Kafka: KAFKA_BROKERS when set, else the embedded librdkafka mock cluster (keeps nothing across restarts)',
  compose: {
    port: 9092,
    environment: [
      'KAFKA_NODE_ID',
      'KAFKA_PROCESS_ROLES',
      'KAFKA_LISTENERS',
      'KAFKA_ADVERTISED_LISTENERS',
      'KAFKA_CONTROLLER_LISTENER_NAMES',
      'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP',
      'KAFKA_CONTROLLER_QUORUM_VOTERS',
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR',
      'KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS',
      'KAFKA_AUTO_CREATE_TOPICS_ENABLE',
      'KAFKA_LOG_DIRS',
    ],
    healthcheck: true,
    // creates the topic; the mock cluster creates topics on first use
    helpers: ['kafka-init'],
  },
  docs: { label: 'Kafka', native: 'embedded mock broker on a random port, or `KAFKA_BROKERS`' },
  binaries: [{ binary: 'kcat', debianPackage: 'kcat' }],
  truncateLog: true,
  noRestart:
    'the embedded mock cluster keeps nothing and picks new ports at each start: pnpm stack down && pnpm stack up',
  launch(s) {
    if (s.externalKafka) return undefined;
    const kcat = requireBinary(s, 'kcat');
    // The mock logs every request at debug level (needed for its address line): keep only the
    // address line and warnings/errors, or the log grows by megabytes a minute.
    const script = `'${kcat}' -b 127.0.0.1:1 -X test.mock.num.brokers=1 -X debug=mock -E -C -t reelwatch-keepalive 2>&1 | grep --line-buffered -E 'bootstrap\\.servers=|^%[0-6]\\||^% '`;
    return {
      command: '/bin/sh',
      args: ['-c', script],
      env: baseEnv(s, componentDir(s, 'kafka')),
      cwd: ensureDir(componentDir(s, 'kafka')),
    };
  },
  async health(s, rt) {
    if (!rt.kafkaBrokers && s.externalKafka) rt.kafkaBrokers = s.externalKafka;
    if (!rt.kafkaBrokers) {
      const log = readFileSync(path.join(s.stateDir, 'logs', 'kafka.log'), 'utf8');
      const match = MOCK_BOOTSTRAP.exec(log);
      if (!match) throw new Error('the mock cluster has not printed its address yet');
      rt.kafkaRunId = match[1];
      rt.kafkaBrokers = match[2];
    }
    const [host, p] = ((rt.kafkaBrokers ?? '').split(',')[0] ?? '').split(':');
    await probeTcp(host || HOST, Number(p));
  },
  urls: (s, rt) => [
    {
      name: 'kafka',
      url: rt.kafkaBrokers ?? s.externalKafka ?? '(the mock cluster picks its port at start)',
      note: embeddedKafka(s, rt) ? 'embedded mock cluster: keeps nothing across restarts' : 'KAFKA_BROKERS',
    },
  ],
};
