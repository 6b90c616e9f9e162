// Throwaway real servers for tests. Every start* function puts its server on a free 127.0.0.1
// port and its files in a fresh temp dir, and its stop/destroy leaves no process, port or dir.
export { type AlertmanagerServer, DEFAULT_ALERTMANAGER_CONFIG, startAlertmanager } from './alertmanager';
export { findBinary, MissingBinaryError } from './binaries';
export {
  headingAnchors,
  markdownLinks,
  markedBlock,
  markers,
  readMarkedBlock,
  replaceMarkedBlock,
} from './docs';
export { pick, prng, type RawRequest, sendRaw } from './fuzz';
export { type HttpDaemonOptions, type RunningHttpDaemon, startHttpDaemon } from './http-daemon';
export { type KafkaCluster, type StartKafkaOptions, startKafka } from './kafka';
export { type LintOptions, lintMetrics, type MetricFamily, parseExposition } from './metric-lint';
export { allocatedPorts, freePort } from './ports';
export {
  type PgServer,
  type PostgresCluster,
  type StartPostgresOptions,
  startPostgres,
} from './postgres';
export {
  type ExitStatus,
  killAllChildren,
  liveProcesses,
  ManagedProcess,
  type SpawnChildOptions,
  spawnChild,
} from './process';
export {
  PrometheusQueryError,
  type PrometheusServer,
  type StartPrometheusOptions,
  startPrometheus,
  withGlobalIntervals,
} from './prometheus';
export { type PushgatewayServer, startPushgateway } from './pushgateway';
export { type RedisServer, redisPing, startRedis } from './redis';
export {
  type ListeningPort,
  leaksSince,
  type ProcessInfo,
  type ResourceSnapshot,
  remainingLeaks,
  snapshotResources,
} from './resources';
export { type ServiceProcess, type StartServiceOptions, startService } from './service';
export { liveTempDirs, makeTempDir, removeTempDir } from './temp';
export { GiveUpWaiting, type WaitForOptions, WaitTimeoutError, waitFor } from './wait';
