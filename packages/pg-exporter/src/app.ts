import type { Logger } from 'pino';
import { loadAuthModules } from './auth-modules';
import type { Collector } from './collector';
import { collectorByName } from './collectors';
import type { ExporterConfig } from './config';
import type { DataSource } from './dsn';
import { Exporter } from './exporter';
import { type RunningExporterServer, startExporterServer } from './http';
import { loadUserQueries } from './user-queries';
import { BasicAuth, loadWebConfig } from './web-config';

export interface RunningPgExporter {
  exporter: Exporter;
  server: RunningExporterServer;
  close(): Promise<void>;
}

/** Wires config into the exporter and its HTTP server; config problems throw before anything listens. */
export async function startPgExporter(
  config: ExporterConfig,
  logger: Logger,
  extraMetrics?: () => Promise<string>,
): Promise<RunningPgExporter> {
  const collectors = config.collectors
    .map((n) => collectorByName(n))
    .filter((c): c is Collector => c !== undefined);
  const userQueries = config.userQueriesPath ? loadUserQueries(config.userQueriesPath) : undefined;
  if (userQueries?.error)
    logger.error({ err: userQueries.error, path: config.userQueriesPath }, 'cannot load user queries');
  const webConfig = config.webConfigFile
    ? loadWebConfig(config.webConfigFile)
    : { users: new Map<string, string>() };
  const authModules = loadAuthModules(config.authConfigFile);
  const make = (sources: DataSource[], withUserQueries: boolean) =>
    new Exporter({
      sources,
      collectors,
      logger,
      collectionTimeoutMs: config.collectionTimeoutMs,
      statementTimeoutMs: config.statementTimeoutMs,
      connectTimeoutMs: config.connectTimeoutMs,
      maxConnections: config.maxConnections,
      maxIdleConnections: config.maxIdleConnections,
      includeDatabases: config.includeDatabases,
      excludeDatabases: config.excludeDatabases,
      constantLabels: config.constantLabels,
      userQueries: withUserQueries ? userQueries : undefined,
      autoDiscoverDatabases: config.autoDiscoverDatabases,
      collectorOptions: config.collectorOptions,
    });
  const exporter = make(config.sources, true);
  if (config.sources.length === 0)
    logger.warn('no DATA_SOURCE_NAME or DATA_SOURCE_URI: only /probe answers with data');
  const server = await startExporterServer({
    host: config.listenHost,
    port: config.listenPort,
    telemetryPath: config.telemetryPath,
    exporter,
    probe: (source) => make([source], false),
    authModules,
    auth: new BasicAuth(webConfig.users),
    tls: webConfig.tls,
    extraMetrics,
    logger,
  });
  logger.info(
    { url: server.url, servers: exporter.targets.map((t) => t.label), collectors: config.collectors },
    'pg-exporter listening',
  );
  return {
    exporter,
    server,
    close: async () => {
      await server.close();
      await exporter.close();
    },
  };
}
