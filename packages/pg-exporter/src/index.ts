export { type RunningPgExporter, startPgExporter } from './app';
export { type AuthModule, loadAuthModules, parseAuthModules, probeDataSource } from './auth-modules';
export type { Collector, CollectorContext, CollectorOptions } from './collector';
export { COLLECTORS, collectorByName } from './collectors';
export {
  collectorEnvName,
  configSchema,
  type ExporterConfig,
  FLAGS,
  parseConstantLabels,
  parseFlags,
  type RawConfig,
  toExporterConfig,
} from './config';
export { type DataSource, parseDsn, resolveDataSources, serverLabel, splitDsnList } from './dsn';
export { ExporterError, type ExporterErrorCode } from './errors';
export { Exporter, type ExporterOptions, filterDatabases, shortVersion } from './exporter';
export { ExpositionWriter, type MetricType, type Sample } from './exposition';
export { requestUrl, startExporterServer } from './http';
export { PgTarget } from './target';
export { loadUserQueries, parseUserQueries, versionSatisfies } from './user-queries';
export { BasicAuth, loadWebConfig } from './web-config';
