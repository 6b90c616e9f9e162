import type { Logger } from 'pino';
import type { Collector } from './collector';
import { collectorByName } from './collectors';
import type { ExporterConfig } from './config';
import { Exporter } from './exporter';
import { type RunningExporterServer, startExporterServer } from './http';
import { KafkaSource } from './kafka-source';
import { StoredOffsetsSource } from './stored-offsets-source';

export interface RunningKafkaExporter {
  exporter: Exporter;
  server: RunningExporterServer;
  close(): Promise<void>;
}

/** Wires config into the exporter and its HTTP server. Nothing connects before the first scrape. */
export async function startKafkaExporter(
  config: ExporterConfig,
  logger: Logger,
  extraMetrics?: () => Promise<string>,
): Promise<RunningKafkaExporter> {
  const collectors = config.collectors
    .map((n) => collectorByName(n))
    .filter((c): c is Collector => c !== undefined);
  const kafka = new KafkaSource(config.kafka, logger);
  const stored = config.databaseUrl
    ? new StoredOffsetsSource(config.databaseUrl, config.kafka.requestTimeoutMs)
    : undefined;
  const exporter = new Exporter({
    kafka,
    stored,
    collectors,
    logger,
    collectionTimeoutMs: config.collectionTimeoutMs,
    topicFilter: config.topicFilter,
    topicExclude: config.topicExclude,
    groupFilter: config.groupFilter,
    groupExclude: config.groupExclude,
    groups: config.groups,
    offsetShowAll: config.offsetShowAll,
    topicWorkers: config.topicWorkers,
    constantLabels: config.constantLabels,
  });
  const server = await startExporterServer({
    host: config.listenHost,
    port: config.listenPort,
    telemetryPath: config.telemetryPath,
    exporter,
    extraMetrics,
    logger,
  });
  logger.info(
    {
      url: server.url,
      brokers: config.kafka.brokers,
      storedOffsets: stored?.label ?? 'off',
      collectors: config.collectors,
    },
    'kafka-exporter listening',
  );
  return {
    exporter,
    server,
    close: async () => {
      await server.close();
      await exporter.settle();
      await kafka.close();
      await stored?.close();
    },
  };
}
