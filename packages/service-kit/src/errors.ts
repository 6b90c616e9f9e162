/**
 * Base class of every Reelwatch error: a stable `code` that callers branch on (never the message
 * text), the underlying `cause`, and whether retrying the same operation may succeed.
 */
export class ReelwatchError<C extends string = string> extends Error {
  readonly code: C;
  readonly retryable: boolean;

  constructor(code: C, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}
