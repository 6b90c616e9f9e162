// zod re-exported so a service's schema is built with the same zod instance loadConfig parses with.
export { z } from 'zod';
export {
  CONFIG_EXIT_CODE,
  ConfigError,
  type ConfigVariable,
  defaultPrefixes,
  describeConfig,
  envBoolean,
  envDurationMs,
  envInt,
  envList,
  envLogLevel,
  envNumber,
  envPort,
  keepEmptyValue,
  LOG_LEVELS,
  type LoadConfigOptions,
  type LoadConfigOrExitOptions,
  loadConfig,
  loadConfigOrExit,
  renderConfigTable,
} from './config';
export { ReelwatchError } from './errors';
export { type HttpServerOptions, type RunningHttpServer, startHttpServer } from './http-server';
export { type KafkajsLogEntry, kafkaLogCreator } from './kafka-log';
export { Lifecycle, type LifecycleOptions } from './lifecycle';
export { createLogger, type LoggerOptions, REDACT_PATHS } from './logger';
export { isSecretName, MASK, maskDsn, redactSecrets } from './mask';
export {
  createMetricsRegistry,
  type ExpositionFormat,
  type MetricsRegistryOptions,
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  renderMetrics,
} from './metrics';
export { Readiness, type ReadinessCheckResult, type ReadinessReport } from './readiness';
