export { type RunningKafkaExporter, startKafkaExporter } from './app';
export type { Collector, CollectorContext, WatermarkSet } from './collector';
export { COLLECTORS, collectorByName } from './collectors';
export {
  collectorEnvName,
  configSchema,
  type ExporterConfig,
  FLAGS,
  type KafkaConnection,
  parseConstantLabels,
  parseFlags,
  parseListenAddress,
  type RawConfig,
  toExporterConfig,
  UNSUPPORTED_FLAGS,
} from './config';
export { KafkaExporterError, type KafkaExporterErrorCode } from './errors';
export { Exporter, type ExporterOptions } from './exporter';
export { type RunningExporterServer, startExporterServer } from './http';
export {
  type BrokerInfo,
  type CommittedOffsets,
  type GroupDescription,
  KafkaSource,
  type PartitionInfo,
  type TopicInfo,
  type Watermark,
} from './kafka-source';
export { exporterSelfSamples, PACKAGE_VERSION } from './self-series';
export { type StoredOffset, StoredOffsetsSource } from './stored-offsets-source';
