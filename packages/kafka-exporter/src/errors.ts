import { ReelwatchError } from '@reelwatch/service-kit';

export type KafkaExporterErrorCode =
  | 'CONFIG_INVALID'
  | 'KAFKA_UNAVAILABLE'
  | 'KAFKA_REQUEST_FAILED'
  | 'DEADLINE_EXCEEDED'
  | 'STORED_OFFSETS_FAILED';

/** Every error of this package: a stable code to branch on, the cause, and whether a retry can help. */
export class KafkaExporterError extends ReelwatchError<KafkaExporterErrorCode> {}
