import net from 'node:net';
import { Client } from 'pg';

/** Throws unless GET `url` answers 2xx within the timeout. */
export async function probeHttp(url: string, timeoutMs = 2_000): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
}

export async function getJson<T>(url: string, timeoutMs = 3_000): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Throws unless a TCP connection to host:port opens within the timeout. */
export function probeTcp(host: string, port: number, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Redis' own health check (`redis-cli ping`) without redis-cli: PING over RESP, expect +PONG. */
export function probeRedis(host: string, port: number, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis at ${host}:${port} did not answer PING within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (!answer.includes('\r\n')) return;
      clearTimeout(timer);
      socket.end();
      if (answer.startsWith('+PONG')) resolve();
      else reject(new Error(`redis answered ${JSON.stringify(answer.trim())}`));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function pgQuery<R>(connectionString: string, sql: string, timeoutMs = 3_000): Promise<R[]> {
  const client = new Client({
    connectionString,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end().catch(() => {});
  }
}

/** Resolves true when something listens on host:port already (so the port is not free for us). */
export function portTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}
