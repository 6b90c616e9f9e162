import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/**
 * Closes a connection politely (QUIT) when Redis answers, else drops it: with
 * maxRetriesPerRequest null (BullMQ's requirement) a QUIT to a dead server would wait forever.
 */
export async function closeRedis(connection: Redis, timeoutMs = 1000): Promise<void> {
  if (connection.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([connection.quit().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }
  connection.disconnect();
}

/** Resolves with the promise's outcome, or undefined after timeoutMs (the work is abandoned). */
export async function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The last error each watched connection reported, until it is ready again. */
const lastErrors = new WeakMap<Redis, Error>();

/**
 * Logs a connection's trouble once per outage (ioredis emits an error on every reconnect attempt,
 * and prints "Unhandled error event" to the console when nobody listens), and its recovery. The
 * last problem is kept for connectionProblem() (what /readyz says).
 *
 * A server that accepts the TCP connection and then refuses the client (a Redis in protected
 * mode answers `-DENIED ...` and closes) makes ioredis emit no error at all, only a close: the
 * refusal is read from the socket here, so that it can be logged and reported.
 */
export function watchConnection(
  connection: Redis,
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
  name: string,
): Redis {
  let down = false;
  const problem = (err: Error) => {
    lastErrors.set(connection, err);
    if (down) return;
    down = true;
    logger.warn({ err, connection: name }, 'redis connection lost; reconnecting');
  };
  let connectedNotReady = false;
  connection.on('error', problem);
  connection.on('connect', () => {
    connectedNotReady = true;
    lastErrors.delete(connection); // what this attempt runs into is the news
    const stream = (connection as unknown as { stream?: NodeJS.EventEmitter }).stream;
    if (!stream) return;
    const onData = (chunk: Buffer) => {
      // before ready, an error reply that starts the stream is the server refusing this client
      const text = chunk.toString('utf8', 0, Math.min(chunk.length, 400));
      if (text.startsWith('-'))
        problem(new Error(`server refused the connection: ${firstSentence(text.slice(1))}`));
    };
    const off = () => {
      stream.off('data', onData);
      connection.off('ready', off);
    };
    stream.on('data', onData);
    stream.once('close', off);
    connection.once('ready', off);
  });
  connection.on('close', () => {
    if (!connectedNotReady) return;
    connectedNotReady = false;
    if (!lastErrors.has(connection)) problem(new Error('server closed the connection before it was ready'));
  });
  connection.on('ready', () => {
    connectedNotReady = false;
    lastErrors.delete(connection);
    if (!down) return;
    down = false;
    logger.info({ connection: name }, 'redis connection back');
  });
  return connection;
}

function firstSentence(text: string): string {
  const line = text.split('\r\n')[0] ?? '';
  const end = line.indexOf('. ');
  return end > 0 ? line.slice(0, end + 1) : line.slice(0, 300);
}

/**
 * Why a connection cannot be used now ("redis events connection reconnecting: connect
 * ECONNREFUSED 127.0.0.1:6379"), or null when it is ready.
 */
export function connectionProblem(connection: Redis, name: string): string | null {
  if (connection.status === 'ready') return null;
  const err = lastErrors.get(connection);
  return `redis ${name} connection ${connection.status}${err ? `: ${err.message}` : ''}`;
}

/**
 * Resolves once the connection is ready, however long Redis refuses it: a lazy connection is
 * started, and ioredis' own reconnects (its retryStrategy never gives up by default) do the
 * retrying; a connection that ended (retryStrategy gave up) is started again every retryMs.
 * Never rejects on a connection error (watchConnection logs those); rejects only when `signal`
 * aborts.
 */
export function waitUntilConnected(
  connection: Redis,
  options: { signal?: AbortSignal; retryMs?: number } = {},
): Promise<void> {
  const { signal } = options;
  if (connection.status === 'ready') return Promise.resolve();
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const startIfIdle = () => {
      // connect() rejects when this attempt fails; the reconnects that follow are ioredis' own
      if (connection.status === 'wait' || connection.status === 'end') connection.connect().catch(() => {});
    };
    const timer = setInterval(startIfIdle, options.retryMs ?? 1000);
    const cleanup = () => {
      clearInterval(timer);
      connection.off('ready', onReady);
      signal?.removeEventListener('abort', onAbort);
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onAbort = () => {
      cleanup();
      reject(abortError(signal!));
    };
    connection.on('ready', onReady);
    signal?.addEventListener('abort', onAbort, { once: true });
    startIfIdle();
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}

/**
 * Runs `attempt` until it succeeds, logging each failure and waiting between tries (doubling from
 * 200 ms up to maxDelayMs): for start-up steps that must outlast a Redis that refuses or drops
 * connections. Rejects only when `signal` aborts.
 */
export async function retryUntilDone<T>(
  what: string,
  attempt: () => Promise<T>,
  options: {
    logger: { warn(obj: object, msg: string): void };
    signal?: AbortSignal;
    maxDelayMs?: number;
  },
): Promise<T> {
  let delayMs = 200;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (err) {
      if (options.signal?.aborted) throw err;
      options.logger.warn({ err, retryInMs: delayMs }, `${what} failed; retrying`);
      await sleep(delayMs, undefined, { signal: options.signal });
      delayMs = Math.min(delayMs * 2, options.maxDelayMs ?? 5000);
    }
  }
}
