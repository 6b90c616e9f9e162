// The package's public surface, named one by one (no `export *`): what it exported before the
// split, from the modules that now hold it.
export {
  BatchAggregator,
  type DeadLetter,
  deadLetterText,
  MAX_DEAD_LETTER_TEXT_LENGTH,
  MAX_NUMERIC_USER_DIGITS,
  type MovieAggregate,
  microsToIso,
  type RatingAggregate,
  type RatingCountAggregate,
  type RecommendationHourAggregate,
  sanitizeText,
  type UserAggregate,
  type UserKey,
  userKey,
  type WatchProgressAggregate,
} from './batch-aggregator';
export type { ParsedMessage, PartitionBatch, WriteResult } from './batch-types';
export { BatchWriter, type BatchWriterOptions } from './batch-writer';
export { type IngestionConfig, ingestionConfigSchema } from './config';
export { DeadLetterPruner, type DeadLetterPrunerOptions, type PruneLimit } from './dead-letter-pruner';
export { IngestionError, type IngestionErrorCode, toDbError } from './errors';
export { IngestionConsumer, type IngestionConsumerOptions } from './ingestion-consumer';
export { IngestionMetrics, type LagSource } from './ingestion-metrics';
export { loadMigrations, MIGRATIONS_DIR, type Migration, migrate } from './migrations';
export {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  daysFromCivil,
  daysInMonth,
  EVENT_TYPES,
  type EventType,
  MAX_LATENCY_MS,
  MAX_LINE_LENGTH,
  MAX_MINUTE,
  MAX_MOVIE_ID_LENGTH,
  MAX_YEAR,
  type MovieEvent,
  type ParseResult,
  parseEventLine,
  parseIsoTimestampMicros,
  type RateEvent,
  type RecommendEvent,
  type WatchEvent,
} from './parse-event-line';
export type { WritableAggregate } from './write-statement';
