import { request as httpRequest } from 'node:http';

/** Deterministic PRNG (mulberry32): a failing generated case is reproducible from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

export interface RawRequest {
  method: string;
  /** sent exactly as written: no URL normalisation, so broken percent-encoding and odd targets reach the server */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * One request over a fresh connection: the status, or 0 when the server closed the connection
 * (a server may answer 413 or 431 and close before reading an oversized request).
 */
export function sendRaw(base: string, r: RawRequest, headers: Record<string, string> = {}): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: r.method,
        path: r.path,
        headers: { connection: 'close', ...headers, ...r.headers },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(0) : reject(err),
    );
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}
