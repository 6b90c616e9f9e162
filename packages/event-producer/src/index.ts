// The package's public surface, named one by one (no `export *`) so a new export is a choice.
export { type ProducerConfig, producerConfigSchema } from './config';
export {
  EventGenerator,
  type EventGeneratorOptions,
  type GeneratedEvent,
  type GeneratedEventType,
  iso,
  MALFORMED_KINDS,
  type MalformedKind,
} from './event-generator';
export { EventSender, type OutgoingEvent } from './event-sender';
export { lineKey, lineTimeMs, lineType } from './line-type';
export { SeededRandom, ZipfSampler } from './prng';
export { PRODUCED_TYPES, type ProducedType, ProducerMetrics } from './producer-metrics';
export { type GenerateOptions, type ReplayOptions, runGenerator, runReplay } from './stream-runner';
