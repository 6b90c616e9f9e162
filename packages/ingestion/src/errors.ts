import { ReelwatchError } from '@reelwatch/service-kit';

export type IngestionErrorCode =
  | 'DB_UNAVAILABLE'
  | 'DB_WRITE_FAILED'
  | 'MIGRATION_FAILED'
  | 'MIGRATION_CHANGED'
  | 'OFFSET_GAP'
  | 'CONSUMER_CRASHED';

export class IngestionError extends ReelwatchError<IngestionErrorCode> {}

/** SQLSTATE classes that mean "the database is not reachable right now", not "this batch is wrong". */
const RETRYABLE_SQLSTATE_PREFIXES = ['08', '53', '57', '40'];
const RETRYABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Wraps a pg error: connection loss, shutdown, overload, serialization/deadlock -> retryable. */
export function toDbError(err: unknown, what: string): IngestionError {
  if (err instanceof IngestionError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  const retryable =
    (typeof code === 'string' &&
      (RETRYABLE_NODE_CODES.has(code) || RETRYABLE_SQLSTATE_PREFIXES.some((p) => code.startsWith(p)))) ||
    /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(
      message,
    );
  return new IngestionError(retryable ? 'DB_UNAVAILABLE' : 'DB_WRITE_FAILED', `${what}: ${message}`, {
    cause: err,
    retryable,
  });
}
