import { ReelwatchError } from '@reelwatch/service-kit';

export type ExporterErrorCode =
  | 'CONNECT_FAILED'
  | 'QUERY_FAILED'
  | 'DEADLINE_EXCEEDED'
  | 'DSN_INVALID'
  | 'USER_QUERIES_INVALID'
  | 'AUTH_CONFIG_INVALID'
  | 'WEB_CONFIG_INVALID'
  | 'YAML_INVALID';

/** Every error of this package: a stable code to branch on, the cause, and whether a retry can help. */
export class ExporterError extends ReelwatchError<ExporterErrorCode> {}
