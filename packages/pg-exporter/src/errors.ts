export type ExporterErrorCode =
  | 'CONNECT_FAILED'
  | 'QUERY_FAILED'
  | 'DEADLINE_EXCEEDED'
  | 'DSN_INVALID'
  | 'USER_QUERIES_INVALID'
  | 'AUTH_CONFIG_INVALID'
  | 'WEB_CONFIG_INVALID';

/** Every error of this package: a stable code to branch on, the cause, and whether a retry can help. */
export class ExporterError extends Error {
  readonly code: ExporterErrorCode;
  readonly retryable: boolean;
  constructor(code: ExporterErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}
