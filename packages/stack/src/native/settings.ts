import path from 'node:path';
import { DEFAULT_PORTS, PORT_NAMES } from '../components';
import { StackError } from '../errors';
import { choosePostgresRoot, postgresRunAs, type RunAs } from './postgres-root';

/** With a port base B, the i-th component with a native port listens on B + i (tests, or a second stack). */
export function assignPorts(portBase: number | undefined): Record<string, number> {
  if (portBase === undefined) return { ...DEFAULT_PORTS };
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase + PORT_NAMES.length > 65_535)
    throw new StackError('USAGE', `port base must be an integer from 1024 to ${65_535 - PORT_NAMES.length}`);
  return Object.fromEntries(PORT_NAMES.map((name, i) => [name, portBase + i]));
}

export interface NativeSettings {
  root: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  /** Native ports by component name (components/index.ts declares them). */
  ports: Record<string, number>;
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

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new StackError('USAGE', `${name} must be a number of seconds >= ${min}`);
  return value;
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
