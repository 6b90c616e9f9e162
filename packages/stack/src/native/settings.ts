import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
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
  /**
   * Where `postgres-primary/` and `postgres-replica/` live: the state dir, or (as root, when the
   * postgres user cannot reach the state dir, e.g. a repo under /root) a root-owned directory under
   * /var/lib/reelwatch-stack/ named after the state dir, so nobody's permissions are loosened.
   */
  postgresRoot: string;
  /** Seconds between training-snapshot runs, and before the first one (Compose: 900 and 30). */
  snapshotIntervalSec: number;
  snapshotDelaySec: number;
  /** Seconds between two rounds of demo tasks (Compose's task-traffic: 5). */
  taskTrafficIntervalSec: number;
}

export const SYSTEM_POSTGRES_BASE = '/var/lib/reelwatch-stack';

/** The root-owned home of PostgreSQL's data for one state dir: stable, one per state dir path. */
export function systemPostgresRoot(stateDir: string): string {
  const hash = createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 16);
  return path.join(SYSTEM_POSTGRES_BASE, hash);
}

/** The first parent of `dir` that `user` cannot enter (undefined: none). */
export function blockedFor(dir: string, user: RunAs): string | undefined {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (existsSync(d)) {
      const st = statSync(d);
      const others = (st.mode & 0o001) !== 0;
      const owner = st.uid === user.uid && (st.mode & 0o100) !== 0;
      const group = st.gid === user.gid && (st.mode & 0o010) !== 0;
      if (!others && !owner && !group) return d;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * The state dir, unless we are root and the postgres user cannot reach it: then the system
 * location. Data that already exists in one of them wins, so a stack keeps its data either way.
 */
export function choosePostgresRoot(stateDir: string, user: RunAs | undefined): string {
  if (!user) return stateDir;
  const system = systemPostgresRoot(stateDir);
  const hasData = (root: string) => existsSync(path.join(root, 'postgres-primary', 'data', 'PG_VERSION'));
  if (hasData(stateDir)) return stateDir;
  if (hasData(system)) return system;
  return blockedFor(stateDir, user) ? system : stateDir;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new StackError('USAGE', `${name} must be a number of seconds >= ${min}`);
  return value;
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
  const stateDir = path.resolve(options.stateDir);
  const postgresUser = postgresRunAs();
  return {
    root: options.root,
    stateDir,
    env: options.env,
    ports: assignPorts(options.portBase),
    externalKafka: options.env.KAFKA_BROKERS || undefined,
    scrapeIntervalSec: interval,
    producerRate: options.env.PRODUCER_RATE || '50',
    postgresUser,
    postgresRoot: choosePostgresRoot(stateDir, postgresUser),
    snapshotIntervalSec: seconds(options.env, 'TRAINING_SNAPSHOT_INTERVAL_SECONDS', 900, 1),
    snapshotDelaySec: seconds(options.env, 'REELWATCH_STACK_SNAPSHOT_DELAY', 30, 0),
    taskTrafficIntervalSec: seconds(options.env, 'TASK_TRAFFIC_INTERVAL_SECONDS', 5, 0.1),
  };
}
