export interface WaitForOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What is awaited, for the timeout message: "postgres on 127.0.0.1:5433 to accept connections". */
  what: string;
}

/** Thrown when waitFor's deadline passes; `lastError` is the probe's last failure, if any. */
export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_TIMEOUT';
  readonly retryable = true;
  readonly lastError: unknown;

  constructor(message: string, lastError: unknown) {
    super(message, { cause: lastError });
    this.name = 'WaitTimeoutError';
    this.lastError = lastError;
  }
}

/**
 * Throw this from a waitFor probe to give up at once, e.g. when the server being waited for has
 * exited: waiting out the deadline would only hide the reason.
 */
export class GiveUpWaiting extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GiveUpWaiting';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than undefined/false, then returns it. A probe that
 * throws counts as "not yet" (except GiveUpWaiting, rethrown at once); after timeoutMs it throws naming `what` and the last error.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions,
): Promise<T> {
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      if (error instanceof GiveUpWaiting) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const last = lastError === undefined ? '' : `; last error: ${describe(lastError)}`;
      throw new WaitTimeoutError(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}${last}`,
        lastError,
      );
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
