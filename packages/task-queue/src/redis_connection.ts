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

/**
 * Logs a connection's trouble once per outage (ioredis emits an error on every reconnect attempt,
 * and prints "Unhandled error event" to the console when nobody listens), and its recovery.
 */
export function watchConnection(
  connection: Redis,
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
  name: string,
): Redis {
  let down = false;
  connection.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err, connection: name }, 'redis connection lost; reconnecting');
  });
  connection.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ connection: name }, 'redis connection back');
  });
  return connection;
}
