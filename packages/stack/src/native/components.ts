import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors';
import { type RepoPaths, repoPaths } from '../paths';
import { pgQuery, probeHttp, probeRedis, probeTcp } from '../probes';
import { type BinaryRequirement, findBinary } from './binaries';
import type { LaunchSpec } from './processes';
import { MINIMAL_PROMETHEUS_CONFIG, rewritePrometheusConfig } from './prometheus-config';
import { blockedFor, type NativeSettings, type PortName } from './settings';

/** What `up` found out while starting (the mock cluster's random ports), kept in the state file. */
export interface Runtime {
  kafkaBrokers?: string;
  /** Identifies one run of the embedded mock cluster (its log starts empty each time). */
  kafkaRunId?: string;
  /** Components that were not started, with why (not installed, not built in this checkout). */
  skipped: Record<string, string>;
}

export interface ComponentUrl {
  name: string;
  url: string;
  note?: string;
}

export interface NativeComponent {
  name: string;
  description: string;
  /** Binaries it needs; a required component stops `up` when they are missing. */
  binaries: BinaryRequirement[];
  /** Optional components are skipped with a note when their binary is missing. */
  optional?: boolean;
  /** Signal for a graceful stop (PostgreSQL: SIGINT = fast shutdown; SIGTERM would wait for clients). */
  stopSignal?: NodeJS.Signals;
  /** Why it cannot run in this checkout/setting (undefined = it can). */
  unavailable?(s: NativeSettings): string | undefined;
  port?(s: NativeSettings): number | undefined;
  /** One-time or every-time preparation (initdb, config files). */
  prepare?(s: NativeSettings, rt: Runtime): Promise<void> | void;
  /** What to run; undefined = nothing to run (Kafka given by KAFKA_BROKERS). */
  launch(s: NativeSettings, rt: Runtime): LaunchSpec | undefined;
  /** Start the log afresh at each start (the mock cluster's address is read from it). */
  truncateLog?: boolean;
  /** Throws unless healthy; may fill `rt` (the mock cluster's address). */
  health(s: NativeSettings, rt: Runtime): Promise<void>;
  /** After it is healthy the first time (create the app database...). */
  ready?(s: NativeSettings, rt: Runtime): Promise<void>;
  urls?(s: NativeSettings, rt: Runtime): ComponentUrl[];
  /** A line for `status` beside a healthy component (a loop's last result). */
  detail?(s: NativeSettings): string | undefined;
}

export const APP_DATABASE = 'reelwatch';
export const TOPIC = 'movie-events';
const HOST = '127.0.0.1';

export function componentDir(s: NativeSettings, name: string): string {
  return path.join(s.stateDir, name);
}

/** Where a PostgreSQL component keeps its data and socket (see NativeSettings.postgresRoot). */
export function postgresDir(s: NativeSettings, name: 'postgres-primary' | 'postgres-replica'): string {
  return path.join(s.postgresRoot, name);
}

/**
 * PostgreSQL runs as the `postgres` user when we are root: it must be able to reach its data dir
 * through every parent. Inside the state dir (reachable: settings checked that) the state dir
 * itself is ours to open (o+x); elsewhere it is the root-owned /var/lib/reelwatch-stack/<hash>
 * (0755 parents, nothing of the user's loosened).
 */
function ensureReachableByPostgres(s: NativeSettings): void {
  if (!s.postgresUser) return;
  mkdirSync(s.postgresRoot, { recursive: true, mode: 0o755 });
  if (s.postgresRoot !== s.stateDir) {
    for (let dir = s.postgresRoot; dir !== '/var/lib' && dir !== '/'; dir = path.dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o777) | 0o711);
    }
  } else {
    const mode = statSync(s.stateDir).mode;
    if ((mode & 0o001) === 0) chmodSync(s.stateDir, (mode & 0o777) | 0o711);
  }
  const blocked = postgresBlockedBy(s);
  if (blocked)
    throw new StackError(
      'START_FAILED',
      `PostgreSQL runs as the postgres user (it refuses root), which cannot enter ${blocked}: ` +
        `chmod o+x ${blocked}, or keep the state elsewhere: pnpm stack up --state-dir /var/tmp/reelwatch-stack`,
    );
}

/** A PostgreSQL server's directory (with its socket dir `run/`), reachable and owned by the user it runs as. */
function preparePostgresDirs(
  s: NativeSettings,
  name: 'postgres-primary' | 'postgres-replica',
): { dir: string; data: string } {
  ensureReachableByPostgres(s);
  const dir = ensureDir(postgresDir(s, name), s.postgresUser);
  ensureDir(path.join(dir, 'run'), s.postgresUser);
  return { dir, data: path.join(dir, 'data') };
}

/** The first parent of PostgreSQL's data root the postgres user cannot enter (undefined: none, or not root). */
export function postgresBlockedBy(s: NativeSettings): string | undefined {
  if (!s.postgresUser) return undefined;
  return blockedFor(s.postgresRoot, s.postgresUser);
}

function ensureDir(dir: string, owner?: { uid: number; gid: number }): string {
  mkdirSync(dir, { recursive: true });
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

function baseEnv(s: NativeSettings, home: string): Record<string, string> {
  return { PATH: s.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TZ: 'UTC' };
}

function url(port: number, p = ''): string {
  return `http://${HOST}:${port}${p}`;
}

function pgUrl(port: number, database = APP_DATABASE): string {
  return `postgres://postgres@${HOST}:${port}/${database}`;
}

function runOnce(s: NativeSettings, command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...baseEnv(s, cwd), LC_ALL: 'C' },
    encoding: 'utf8',
    timeout: 300_000,
    ...(s.postgresUser ?? {}),
  });
  if (result.status !== 0) {
    throw new StackError(
      'START_FAILED',
      `${path.basename(command)} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`,
    );
  }
}

function requireBinary(s: NativeSettings, binary: string): string {
  const file = findBinary(binary, s.env);
  if (!file) throw new StackError('MISSING_BINARIES', `${binary} not found`);
  return file;
}

function postgresArgs(s: NativeSettings, name: 'postgres-primary' | 'postgres-replica'): string[] {
  const dir = postgresDir(s, name);
  return [
    '-D',
    path.join(dir, 'data'),
    '-p',
    String(s.ports[name]),
    '-k',
    path.join(dir, 'run'),
    '-c',
    `listen_addresses=${HOST}`,
  ];
}

const POSTGRES_SETTINGS = `
# added by pnpm stack (native mode): what the Compose primary runs with
listen_addresses = '${HOST}'
shared_preload_libraries = 'pg_stat_statements'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
track_io_timing = on
`;

const postgresPrimary: NativeComponent = {
  name: 'postgres-primary',
  description: 'PostgreSQL primary (data kept in the state dir)',
  binaries: [
    { binary: 'initdb', debianPackage: 'postgresql' },
    { binary: 'postgres', debianPackage: 'postgresql' },
  ],
  stopSignal: 'SIGINT',
  port: (s) => s.ports['postgres-primary'],
  prepare(s) {
    const { dir, data } = preparePostgresDirs(s, 'postgres-primary');
    if (existsSync(path.join(data, 'PG_VERSION'))) return;
    // trust on 127.0.0.1 only: a local development database, never reachable from elsewhere
    runOnce(
      s,
      requireBinary(s, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'],
      dir,
    );
    writeFileSync(path.join(data, 'postgresql.conf'), POSTGRES_SETTINGS, { flag: 'a' });
  },
  launch: (s) => ({
    command: requireBinary(s, 'postgres'),
    args: postgresArgs(s, 'postgres-primary'),
    env: { ...baseEnv(s, postgresDir(s, 'postgres-primary')), LC_ALL: 'C' },
    cwd: postgresDir(s, 'postgres-primary'),
    ...(s.postgresUser ?? {}),
  }),
  async health(s) {
    await pgQuery(pgUrl(s.ports['postgres-primary'], 'postgres'), 'SELECT 1');
  },
  async ready(s) {
    const admin = pgUrl(s.ports['postgres-primary'], 'postgres');
    const rows = await pgQuery<{ n: number }>(
      admin,
      `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${APP_DATABASE}'`,
    );
    if (rows[0]?.n === 0) await pgQuery(admin, `CREATE DATABASE ${APP_DATABASE}`);
    await pgQuery(pgUrl(s.ports['postgres-primary']), 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  },
  urls: (s) => [{ name: 'postgres-primary', url: pgUrl(s.ports['postgres-primary']) }],
};

const postgresReplica: NativeComponent = {
  name: 'postgres-replica',
  description: 'PostgreSQL streaming replica (pg_basebackup -R of the primary)',
  binaries: [
    { binary: 'pg_basebackup', debianPackage: 'postgresql' },
    { binary: 'postgres', debianPackage: 'postgresql' },
  ],
  stopSignal: 'SIGINT',
  port: (s) => s.ports['postgres-replica'],
  prepare(s) {
    const { dir, data } = preparePostgresDirs(s, 'postgres-replica');
    if (existsSync(path.join(data, 'PG_VERSION'))) return;
    runOnce(
      s,
      requireBinary(s, 'pg_basebackup'),
      [
        '-h',
        HOST,
        '-p',
        String(s.ports['postgres-primary']),
        '-U',
        'postgres',
        '-D',
        data,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
      ],
      dir,
    );
  },
  launch: (s) => ({
    command: requireBinary(s, 'postgres'),
    args: [
      ...postgresArgs(s, 'postgres-replica'),
      // on the command line, so the replica follows the primary even when the ports change
      '-c',
      `primary_conninfo=host=${HOST} port=${s.ports['postgres-primary']} user=postgres application_name=postgres-replica`,
    ],
    env: { ...baseEnv(s, postgresDir(s, 'postgres-replica')), LC_ALL: 'C' },
    cwd: postgresDir(s, 'postgres-replica'),
    ...(s.postgresUser ?? {}),
  }),
  async health(s) {
    const rows = await pgQuery<{ status: string }>(
      pgUrl(s.ports['postgres-replica'], 'postgres'),
      'SELECT status FROM pg_stat_wal_receiver',
    );
    if (rows[0]?.status !== 'streaming')
      throw new Error(`replica is not streaming (${rows[0]?.status ?? 'no WAL receiver'})`);
  },
  urls: (s) => [{ name: 'postgres-replica', url: pgUrl(s.ports['postgres-replica']) }],
};

const MOCK_BOOTSTRAP = /Mock cluster (\S+) bootstrap\.servers=(\S+)/;

const kafka: NativeComponent = {
  name: 'kafka',
  description:
    'Kafka: KAFKA_BROKERS when set, else the embedded librdkafka mock cluster (keeps nothing across restarts)',
  binaries: [{ binary: 'kcat', debianPackage: 'kcat' }],
  truncateLog: true,
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
    const [host, port] = ((rt.kafkaBrokers ?? '').split(',')[0] ?? '').split(':');
    await probeTcp(host || HOST, Number(port));
  },
  urls: (s, rt) => [
    {
      name: 'kafka',
      url: rt.kafkaBrokers ?? s.externalKafka ?? '(the mock cluster picks its port at start)',
      note: embeddedKafka(s, rt) ? 'embedded mock cluster: keeps nothing across restarts' : 'KAFKA_BROKERS',
    },
  ],
};

/** The embedded mock cluster runs (or will run): no KAFKA_BROKERS now, or this run was started without. */
export function embeddedKafka(s: NativeSettings, rt: Runtime): boolean {
  if (rt.kafkaRunId !== undefined) return true;
  if (rt.kafkaBrokers !== undefined) return false;
  return !s.externalKafka;
}

const redis: NativeComponent = {
  name: 'redis',
  description: 'Redis (append-only file in the state dir)',
  binaries: [{ binary: 'redis-server', debianPackage: 'redis-server' }],
  port: (s) => s.ports.redis,
  launch: (s) => ({
    command: requireBinary(s, 'redis-server'),
    args: [
      '--port',
      String(s.ports.redis),
      '--bind',
      HOST,
      '--dir',
      ensureDir(componentDir(s, 'redis')),
      '--appendonly',
      'yes',
      '--daemonize',
      'no',
    ],
    env: baseEnv(s, componentDir(s, 'redis')),
    cwd: componentDir(s, 'redis'),
  }),
  health: (s) => probeRedis(HOST, s.ports.redis),
  urls: (s) => [{ name: 'redis', url: `redis://${HOST}:${s.ports.redis}` }],
};

const pushgateway: NativeComponent = {
  name: 'pushgateway',
  description: 'Prometheus Pushgateway (pushed metrics persisted in the state dir)',
  binaries: [{ binary: 'prometheus-pushgateway', debianPackage: 'prometheus-pushgateway' }],
  optional: true,
  port: (s) => s.ports.pushgateway,
  launch: (s) => ({
    command: requireBinary(s, 'prometheus-pushgateway'),
    args: [
      `--web.listen-address=${HOST}:${s.ports.pushgateway}`,
      `--persistence.file=${path.join(ensureDir(componentDir(s, 'pushgateway')), 'metrics.store')}`,
    ],
    env: baseEnv(s, componentDir(s, 'pushgateway')),
    cwd: componentDir(s, 'pushgateway'),
  }),
  health: (s) => probeHttp(url(s.ports.pushgateway, '/-/ready')),
  urls: (s) => [{ name: 'pushgateway', url: url(s.ports.pushgateway) }],
};

function alertSinkScript(paths: RepoPaths): string {
  return path.join(paths.root, 'compose', 'alertmanager', 'alert-sink.js');
}

const alertSink: NativeComponent = {
  name: 'alert-sink',
  description: "Alertmanager's out-of-the-box receiver: logs every notification (pnpm stack logs alert-sink)",
  binaries: [{ binary: 'prometheus-alertmanager', debianPackage: 'prometheus-alertmanager' }],
  optional: true,
  unavailable: (s) =>
    existsSync(alertSinkScript(repoPaths(s.root)))
      ? undefined
      : 'compose/alertmanager/alert-sink.js is not in this checkout',
  port: (s) => s.ports['alert-sink'],
  launch: (s) => ({
    command: process.execPath,
    args: [alertSinkScript(repoPaths(s.root))],
    env: { ...baseEnv(s, componentDir(s, 'alert-sink')), ALERT_SINK_PORT: String(s.ports['alert-sink']) },
    cwd: ensureDir(componentDir(s, 'alert-sink')),
  }),
  health: (s) => probeHttp(url(s.ports['alert-sink'], '/healthz')),
};

/** The repo's Alertmanager config with the alert-sink address made local (or a log-less default). */
export function alertmanagerConfig(s: NativeSettings, sinkRunning: boolean): string {
  const file = path.join(s.root, 'compose', 'alertmanager', 'alertmanager.yml');
  if (sinkRunning && existsSync(file))
    return readFileSync(file, 'utf8').replace(/http:\/\/alert-sink:\d+/g, url(s.ports['alert-sink']));
  return 'route:\n  receiver: default\nreceivers:\n  - name: default\n';
}

const alertmanager: NativeComponent = {
  name: 'alertmanager',
  description: 'Prometheus Alertmanager',
  binaries: [{ binary: 'prometheus-alertmanager', debianPackage: 'prometheus-alertmanager' }],
  optional: true,
  port: (s) => s.ports.alertmanager,
  prepare(s, rt) {
    const dir = ensureDir(componentDir(s, 'alertmanager'));
    writeFileSync(
      path.join(dir, 'alertmanager.yml'),
      alertmanagerConfig(s, rt.skipped['alert-sink'] === undefined),
    );
  },
  launch: (s) => ({
    command: requireBinary(s, 'prometheus-alertmanager'),
    args: [
      `--config.file=${path.join(componentDir(s, 'alertmanager'), 'alertmanager.yml')}`,
      `--storage.path=${ensureDir(path.join(componentDir(s, 'alertmanager'), 'data'))}`,
      `--web.listen-address=${HOST}:${s.ports.alertmanager}`,
      // no gossip: a single local Alertmanager must not grab :9094 or look for peers
      '--cluster.listen-address=',
    ],
    env: baseEnv(s, componentDir(s, 'alertmanager')),
    cwd: componentDir(s, 'alertmanager'),
  }),
  health: (s) => probeHttp(url(s.ports.alertmanager, '/-/ready')),
  urls: (s) => [{ name: 'alertmanager', url: url(s.ports.alertmanager) }],
};

interface ServiceDefinition {
  name: PortName;
  packageDir: string;
  description: string;
  env(s: NativeSettings, rt: Runtime): Record<string, string>;
  metricsPath?: string;
}

export function serviceEntry(root: string, packageDir: string): string {
  return path.join(root, 'packages', packageDir, 'dist', 'main.js');
}

function kafkaBrokers(s: NativeSettings, rt: Runtime): string {
  return rt.kafkaBrokers ?? s.externalKafka ?? '';
}

/** A new embedded broker is a new, empty log: offsets stored for the previous one mean nothing to it. */
function consumerGroup(rt: Runtime): string {
  return rt.kafkaRunId ? `reelwatch-ingestion-${rt.kafkaRunId}` : 'reelwatch-ingestion';
}

export const SERVICES: ServiceDefinition[] = [
  {
    name: 'ingestion',
    packageDir: 'ingestion',
    description: 'ingestion: Kafka consumer group -> PostgreSQL primary',
    env: (s, rt) => ({
      KAFKA_BROKERS: kafkaBrokers(s, rt),
      INGESTION_TOPIC: TOPIC,
      INGESTION_GROUP_ID: consumerGroup(rt),
      // the mock cluster's rebalance waits session timeout - 1 s: keep restarts quick
      INGESTION_SESSION_TIMEOUT_MS: '10000',
      DATABASE_URL: pgUrl(s.ports['postgres-primary']),
      INGESTION_HTTP_HOST: HOST,
      INGESTION_HTTP_PORT: String(s.ports.ingestion),
    }),
  },
  {
    name: 'event-producer',
    packageDir: 'event-producer',
    description: 'event-producer: the simulated movie-event stream -> Kafka',
    env: (s, rt) => ({
      KAFKA_BROKERS: kafkaBrokers(s, rt),
      PRODUCER_TOPIC: TOPIC,
      PRODUCER_RATE: s.producerRate,
      PRODUCER_HTTP_HOST: HOST,
      PRODUCER_HTTP_PORT: String(s.ports['event-producer']),
    }),
  },
  {
    name: 'pg-exporter',
    packageDir: 'pg-exporter',
    description: 'pg-exporter: primary and replica',
    env: (s) => ({
      DATA_SOURCE_NAME: [s.ports['postgres-primary'], s.ports['postgres-replica']]
        .map((port) => `postgresql://postgres@${HOST}:${port}/${APP_DATABASE}?sslmode=disable`)
        .join(','),
      PG_EXPORTER_WEB_LISTEN_ADDRESS: `${HOST}:${s.ports['pg-exporter']}`,
    }),
  },
  {
    name: 'task-worker',
    packageDir: 'task-queue',
    description: 'task-worker: BullMQ workers reading the replica',
    env: (s) => ({
      TASK_WORKER_REDIS_URL: `redis://${HOST}:${s.ports.redis}`,
      TASK_WORKER_REPLICA_URL: pgUrl(s.ports['postgres-replica']),
      TASK_WORKER_EXPORT_DIR: path.join(s.stateDir, 'task-exports'),
      TASK_WORKER_METRICS_HOST: HOST,
      TASK_WORKER_METRICS_PORT: String(s.ports['task-worker']),
    }),
  },
  {
    name: 'task-monitor',
    packageDir: 'task-monitor',
    description: 'task-monitor: Flower-style monitor (no auth: it listens on 127.0.0.1 only)',
    env: (s) => ({
      TASK_MONITOR_REDIS_URL: `redis://${HOST}:${s.ports.redis}`,
      TASK_MONITOR_HOST: HOST,
      TASK_MONITOR_PORT: String(s.ports['task-monitor']),
    }),
  },
];

function serviceComponent(def: ServiceDefinition): NativeComponent {
  return {
    name: def.name,
    description: def.description,
    binaries: [],
    port: (s) => s.ports[def.name],
    unavailable: (s) =>
      existsSync(path.join(s.root, 'packages', def.packageDir, 'package.json'))
        ? undefined
        : `packages/${def.packageDir} is not in this checkout`,
    launch: (s, rt) => ({
      command: process.execPath,
      args: [serviceEntry(s.root, def.packageDir)],
      // a clean environment: the services read only what is set here (and no stray .env: cwd is
      // the component's own directory)
      env: { ...baseEnv(s, componentDir(s, def.name)), ...def.env(s, rt) },
      cwd: ensureDir(componentDir(s, def.name)),
    }),
    health: (s) => probeHttp(url(s.ports[def.name], '/healthz')),
    urls: (s) => [{ name: def.name, url: url(s.ports[def.name], '/metrics') }],
  };
}

/** What Compose's training-snapshot service runs, natively: the job in a supervised shell loop. */
export const SNAPSHOT_PACKAGE = 'training-snapshot';

/** The loop Compose runs (`sleep 30; while true; do node main.js; sleep $INTERVAL; done`), with our numbers. */
export function snapshotLoopScript(
  node: string,
  entry: string,
  delaySec: number,
  intervalSec: number,
): string {
  const q = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  return (
    `sleep ${delaySec}; while true; do ` +
    `echo "--- training-snapshot run at $(date -u +%Y-%m-%dT%H:%M:%SZ) ---"; ` +
    `${q(node)} ${q(entry)} || echo "--- training-snapshot run failed (exit $?): the loop goes on ---"; ` +
    `sleep ${intervalSec}; done`
  );
}

const trainingSnapshot: NativeComponent = {
  name: 'training-snapshot',
  description:
    'training-snapshot: the replica to CSV under the state dir, pushed to Pushgateway, every TRAINING_SNAPSHOT_INTERVAL_SECONDS (a supervised loop, as in Compose)',
  binaries: [],
  unavailable: (s) =>
    existsSync(path.join(s.root, 'packages', SNAPSHOT_PACKAGE, 'package.json'))
      ? undefined
      : `packages/${SNAPSHOT_PACKAGE} is not in this checkout`,
  launch: (s, rt) => ({
    command: '/bin/sh',
    args: [
      '-c',
      snapshotLoopScript(
        process.execPath,
        serviceEntry(s.root, SNAPSHOT_PACKAGE),
        s.snapshotDelaySec,
        s.snapshotIntervalSec,
      ),
    ],
    env: {
      ...baseEnv(s, componentDir(s, 'training-snapshot')),
      TRAINING_SNAPSHOT_DATABASE_URL: pgUrl(s.ports['postgres-replica']),
      TRAINING_SNAPSHOT_OUTPUT_DIR: snapshotDir(s),
      TRAINING_SNAPSHOT_PUSHGATEWAY_URL: rt.skipped.pushgateway === undefined ? url(s.ports.pushgateway) : '',
    },
    cwd: ensureDir(componentDir(s, 'training-snapshot')),
  }),
  // no server: alive is all there is to probe; each run's result is what it pushes (and its log)
  async health() {},
  detail: (s) => snapshotDetail(s),
  urls: (s) => [
    {
      name: 'training-snapshot',
      url: snapshotDir(s),
      note: `CSV snapshots every ${s.snapshotIntervalSec} s; run metrics in Pushgateway (job training_snapshot)`,
    },
  ],
};

/** The newest snapshot, and whether the last run failed (its log's last run marker). */
export function snapshotDetail(s: NativeSettings): string {
  let last = 'none yet';
  try {
    last = path.basename(realpathSync(path.join(snapshotDir(s), 'latest')));
  } catch {
    // no snapshot written yet
  }
  let failed = false;
  try {
    const log = readFileSync(path.join(s.stateDir, 'logs', 'training-snapshot.log'), 'utf8');
    const markers = log.match(/^--- training-snapshot run (at|failed).*$/gm) ?? [];
    failed = markers.at(-1)?.startsWith('--- training-snapshot run failed') ?? false;
  } catch {
    // no log yet
  }
  return (
    `last snapshot: ${last}, every ${s.snapshotIntervalSec} s` +
    (failed ? '; the last run failed (pnpm stack logs training-snapshot)' : '')
  );
}

export function snapshotDir(s: NativeSettings): string {
  return path.join(componentDir(s, 'training-snapshot'), 'snapshots');
}

function taskTrafficScript(root: string): string {
  return path.join(root, 'compose', 'task-traffic', 'task-traffic.js');
}

/** Compose's task-traffic demo load, natively: the same script against the local task-monitor. */
const taskTraffic: NativeComponent = {
  name: 'task-traffic',
  description:
    "task-traffic: demo load, a few tasks every TASK_TRAFFIC_INTERVAL_SECONDS through task-monitor's API (nothing else enqueues tasks)",
  binaries: [],
  unavailable: (s) =>
    existsSync(taskTrafficScript(s.root))
      ? undefined
      : 'compose/task-traffic/task-traffic.js is not in this checkout',
  launch: (s) => ({
    command: process.execPath,
    args: [taskTrafficScript(s.root)],
    env: {
      ...baseEnv(s, componentDir(s, 'task-traffic')),
      TASK_MONITOR_URL: url(s.ports['task-monitor']),
      TASK_TRAFFIC_INTERVAL_SECONDS: String(s.taskTrafficIntervalSec),
    },
    cwd: ensureDir(componentDir(s, 'task-traffic')),
  }),
  async health() {},
};

/** Scrape targets of the running topology, by Prometheus job name (= Compose service name). */
export function scrapeTargets(s: NativeSettings, running: Set<string>): Record<string, string[]> {
  const targets: Record<string, string[]> = { prometheus: [`${HOST}:${s.ports.prometheus}`] };
  for (const job of [
    'alertmanager',
    'pushgateway',
    'event-producer',
    'ingestion',
    'pg-exporter',
    'task-monitor',
    'task-worker',
  ] as const) {
    if (running.has(job)) targets[job] = [`${HOST}:${s.ports[job]}`];
  }
  return targets;
}

const prometheus: NativeComponent = {
  name: 'prometheus',
  description: "Prometheus with the repo's prometheus.yml (targets rewritten to local ports) and rules",
  binaries: [{ binary: 'prometheus', debianPackage: 'prometheus' }],
  port: (s) => s.ports.prometheus,
  prepare(s, rt) {
    const paths = repoPaths(s.root);
    const dir = ensureDir(componentDir(s, 'prometheus'));
    const rulesDir = ensureDir(path.join(dir, 'rules'));
    for (const old of readdirSync(rulesDir)) rmSync(path.join(rulesDir, old), { force: true });
    if (existsSync(paths.rulesDir)) {
      for (const file of readdirSync(paths.rulesDir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')))
        copyFileSync(path.join(paths.rulesDir, file), path.join(rulesDir, file));
    }
    const running = new Set(
      NATIVE_COMPONENTS.map((c) => c.name).filter((name) => rt.skipped[name] === undefined),
    );
    const source = existsSync(paths.prometheusConfig)
      ? readFileSync(paths.prometheusConfig, 'utf8')
      : MINIMAL_PROMETHEUS_CONFIG;
    const config = rewritePrometheusConfig(source, {
      targets: scrapeTargets(s, running),
      ...(running.has('alertmanager') ? { alertmanager: `${HOST}:${s.ports.alertmanager}` } : {}),
      intervalSec: s.scrapeIntervalSec,
    });
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
  },
  launch: (s) => ({
    command: requireBinary(s, 'prometheus'),
    args: [
      `--config.file=${path.join(componentDir(s, 'prometheus'), 'prometheus.yml')}`,
      `--storage.tsdb.path=${ensureDir(path.join(componentDir(s, 'prometheus'), 'data'))}`,
      `--web.listen-address=${HOST}:${s.ports.prometheus}`,
      '--web.enable-lifecycle',
      '--storage.tsdb.retention.time=15d',
    ],
    env: baseEnv(s, componentDir(s, 'prometheus')),
    cwd: componentDir(s, 'prometheus'),
  }),
  health: (s) => probeHttp(url(s.ports.prometheus, '/-/ready')),
  urls: (s) => [
    { name: 'prometheus', url: url(s.ports.prometheus), note: 'targets: /targets, alerts: /alerts' },
  ],
};

function grafanaBinary(s: NativeSettings): { command: string; args: string[] } | undefined {
  const grafana = findBinary('grafana', s.env);
  if (grafana) return { command: grafana, args: ['server'] };
  const server = findBinary('grafana-server', s.env);
  return server ? { command: server, args: [] } : undefined;
}

function grafanaHome(binary: string): string {
  if (existsSync('/usr/share/grafana')) return '/usr/share/grafana';
  return path.dirname(path.dirname(binary));
}

const grafana: NativeComponent = {
  name: 'grafana',
  description: "Grafana with the repo's provisioning (only when grafana-server or grafana is on PATH)",
  binaries: [{ binary: 'grafana-server', debianPackage: "grafana (from Grafana Labs' apt repository)" }],
  optional: true,
  unavailable: (s) =>
    grafanaBinary(s)
      ? undefined
      : "no grafana-server or grafana on PATH: dashboards need Grafana; use Prometheus' own UI (/graph, /alerts) meanwhile",
  port: (s) => s.ports.grafana,
  prepare(s) {
    const paths = repoPaths(s.root);
    const dir = ensureDir(componentDir(s, 'grafana'));
    const provisioning = ensureDir(path.join(dir, 'provisioning'));
    for (const sub of ['datasources', 'dashboards']) {
      const from = path.join(paths.grafanaProvisioning, sub);
      const to = ensureDir(path.join(provisioning, sub));
      if (!existsSync(from)) continue;
      for (const file of readdirSync(from)) {
        const text = readFileSync(path.join(from, file), 'utf8')
          .replaceAll('http://prometheus:9090', url(s.ports.prometheus))
          .replaceAll('http://alertmanager:9093', url(s.ports.alertmanager))
          .replaceAll('/etc/grafana/dashboards', paths.grafanaDashboards);
        writeFileSync(path.join(to, file), text);
      }
    }
    const password = s.env.GRAFANA_ADMIN_PASSWORD || 'admin';
    writeFileSync(
      path.join(dir, 'grafana.ini'),
      [
        '[server]',
        `http_addr = ${HOST}`,
        `http_port = ${s.ports.grafana}`,
        '[paths]',
        `data = ${ensureDir(path.join(dir, 'data'))}`,
        `logs = ${ensureDir(path.join(dir, 'logs'))}`,
        `plugins = ${ensureDir(path.join(dir, 'plugins'))}`,
        `provisioning = ${provisioning}`,
        '[security]',
        `admin_user = ${s.env.GRAFANA_ADMIN_USER || 'admin'}`,
        `admin_password = ${password}`,
        '[users]',
        'allow_sign_up = false',
        '[analytics]',
        'reporting_enabled = false',
        '[dashboards]',
        `default_home_dashboard_path = ${path.join(paths.grafanaDashboards, 'reelwatch', 'pipeline-overview.json')}`,
        '',
      ].join('\n'),
    );
  },
  launch(s) {
    const binary = grafanaBinary(s);
    if (!binary) throw new StackError('MISSING_BINARIES', 'grafana not found');
    const dir = componentDir(s, 'grafana');
    return {
      command: binary.command,
      args: [
        ...binary.args,
        `--homepath=${grafanaHome(binary.command)}`,
        `--config=${path.join(dir, 'grafana.ini')}`,
      ],
      env: baseEnv(s, dir),
      cwd: dir,
    };
  },
  health: (s) => probeHttp(url(s.ports.grafana, '/api/health')),
  urls: (s) => [
    {
      name: 'grafana',
      url: url(s.ports.grafana),
      note: `log in as ${s.env.GRAFANA_ADMIN_USER || 'admin'} / ${s.env.GRAFANA_ADMIN_PASSWORD ? '$GRAFANA_ADMIN_PASSWORD' : 'admin'}`,
    },
  ],
};

/** Every native component, in start order (stopped in reverse). */
export const NATIVE_COMPONENTS: NativeComponent[] = [
  postgresPrimary,
  postgresReplica,
  kafka,
  redis,
  pushgateway,
  alertSink,
  alertmanager,
  ...SERVICES.map(serviceComponent),
  trainingSnapshot,
  taskTraffic,
  prometheus,
  grafana,
];

export function findComponent(name: string): NativeComponent | undefined {
  return NATIVE_COMPONENTS.find((c) => c.name === name);
}
