import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors';

/** Native default ports: the services' and monitoring's own defaults; PostgreSQL and Redis moved
 * off 5432/6379 so a system PostgreSQL or Redis on the same machine does not collide. */
export const PORT_NAMES = [
  'postgres-primary',
  'postgres-replica',
  'redis',
  'pushgateway',
  'alert-sink',
  'alertmanager',
  'ingestion',
  'event-producer',
  'pg-exporter',
  'task-worker',
  'task-monitor',
  'prometheus',
  'grafana',
] as const;
export type PortName = (typeof PORT_NAMES)[number];

export const DEFAULT_PORTS: Record<PortName, number> = {
  'postgres-primary': 15432,
  'postgres-replica': 15433,
  redis: 16379,
  pushgateway: 9091,
  'alert-sink': 9095,
  alertmanager: 9093,
  ingestion: 9465,
  'event-producer': 9464,
  'pg-exporter': 9188,
  'task-worker': 9466,
  'task-monitor': 5555,
  prometheus: 9090,
  grafana: 3000,
};

/** With a port base B, component i of PORT_NAMES listens on B + i (tests, or a second stack). */
export function assignPorts(portBase: number | undefined): Record<PortName, number> {
  if (portBase === undefined) return { ...DEFAULT_PORTS };
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase + PORT_NAMES.length > 65_535)
    throw new StackError('USAGE', `port base must be an integer from 1024 to ${65_535 - PORT_NAMES.length}`);
  return Object.fromEntries(PORT_NAMES.map((name, i) => [name, portBase + i])) as Record<PortName, number>;
}

export interface RunAs {
  uid: number;
  gid: number;
}

export interface NativeSettings {
  root: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  ports: Record<PortName, number>;
  /** KAFKA_BROKERS from the environment: use that Kafka instead of the embedded mock cluster. */
  externalKafka: string | undefined;
  scrapeIntervalSec: number;
  producerRate: string;
  /** As root, PostgreSQL (which refuses root) runs as the `postgres` system user. */
  postgresUser: RunAs | undefined;
}

export function postgresRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd
      .split('\n')
      .find((line) => line.startsWith(`${name}:`))
      ?.split(':');
    if (fields && fields.length > 3) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new StackError(
    'START_FAILED',
    'running as root, but there is no `postgres` user to run PostgreSQL as',
  );
}

export function nativeSettings(options: {
  root: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  portBase: number | undefined;
}): NativeSettings {
  const interval = Number(options.env.REELWATCH_STACK_SCRAPE_INTERVAL ?? 15);
  if (!Number.isFinite(interval) || interval < 1)
    throw new StackError('USAGE', 'REELWATCH_STACK_SCRAPE_INTERVAL must be a number of seconds >= 1');
  return {
    root: options.root,
    stateDir: path.resolve(options.stateDir),
    env: options.env,
    ports: assignPorts(options.portBase),
    externalKafka: options.env.KAFKA_BROKERS || undefined,
    scrapeIntervalSec: interval,
    producerRate: options.env.PRODUCER_RATE || '50',
    postgresUser: postgresRunAs(),
  };
}
