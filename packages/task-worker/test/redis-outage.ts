import net from 'node:net';
import {
  findBinary,
  freePort,
  type ManagedProcess,
  makeTempDir,
  type RedisServer,
  redisPing,
  removeTempDir,
  type ServiceProcess,
  spawnChild,
  waitFor,
} from '@reelwatch/testkit';

/**
 * A real redis-server on a port chosen up front that can be stopped and started again on the same
 * port: a service can be started while it is down, and see it go away and come back.
 */
export class RestartableRedis {
  private child: ManagedProcess | undefined;
  private readonly dir = makeTempDir('redis-outage');

  private constructor(readonly port: number) {}

  static async create(): Promise<RestartableRedis> {
    return new RestartableRedis(await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** As testkit's RedisServer (for createHarness); destroy() is left to this object's owner. */
  server(): RedisServer {
    return { host: '127.0.0.1', port: this.port, url: this.url, destroy: async () => {} };
  }

  async start(): Promise<void> {
    if (this.child && !this.child.hasExited) return;
    const child = spawnChild({
      name: 'redis-server',
      command: findBinary('redis-server', 'redis-server'),
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      cwd: this.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    this.child = child;
    await waitFor(
      async () => {
        if (child.hasExited) throw new Error(`redis-server exited:\n${child.outputTail(20)}`);
        return (await redisPing('127.0.0.1', this.port).catch(() => '')) === '+PONG';
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `redis-server on port ${this.port}` },
    );
  }

  /** Stops the server (SIGTERM: Redis closes every client connection). */
  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM', 10_000);
    this.child = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    removeTempDir(this.dir);
  }
}

/** The first thing Redis 7 writes to a client it refuses in protected mode, before closing. */
export const PROTECTED_MODE_REPLY =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface.\r\n';

/**
 * Stands in for a Redis in protected mode (as a container sees Debian's redis-server): it accepts
 * each connection, writes the DENIED error and closes it, as redis-server does for a client that
 * is not on the loopback interface (which a test on 127.0.0.1 cannot be).
 */
export async function startDeniedRedis(port: number): Promise<{ close(): Promise<void>; refused(): number }> {
  let refused = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    refused++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end(PROTECTED_MODE_REPLY);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
  });
  return {
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface Readyz {
  status: number;
  body: { status?: string; failing: string[]; checks: { name: string; ok: boolean; error?: string }[] };
}

export async function readyz(service: ServiceProcess): Promise<Readyz> {
  const res = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(8000) });
  return { status: res.status, body: (await res.json()) as Readyz['body'] };
}

/** The service's process still exists (it did not exit on the outage). */
export function alive(service: ServiceProcess): boolean {
  try {
    process.kill(service.pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitReady(service: ServiceProcess, what: string): Promise<void> {
  await waitFor(async () => (await readyz(service)).status === 200, { timeoutMs: 20_000, what });
}

/**
 * Waits for a 503 whose readiness check `check` fails naming `reason` (and, with `listed`, is
 * among the failing checks); returns the check's error text.
 */
export async function waitNotReady(
  service: ServiceProcess,
  check: string,
  reason: RegExp,
  listed = false,
): Promise<string> {
  let error = '';
  await waitFor(
    async () => {
      const r = await readyz(service);
      error = r.body.checks.find((c) => c.name === check)?.error ?? '';
      return r.status === 503 && (!listed || r.body.failing.includes(check)) && reason.test(error);
    },
    { timeoutMs: 20_000, what: `/readyz 503 naming ${reason}` },
  );
  return error;
}
