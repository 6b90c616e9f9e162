import net from 'node:net';
import { findBinary } from './binaries';
import { freePort, lostPortRace, PORT_ATTEMPTS } from './ports';
import { type ManagedProcess, spawnChild } from './process';
import { makeTempDir, removeTempDir } from './temp';
import { GiveUpWaiting, waitFor } from './wait';

export interface RedisServer {
  host: string;
  port: number;
  /** redis://127.0.0.1:<port> */
  url: string;
  destroy(): Promise<void>;
}

/** Sends one inline PING and resolves with the first reply line ("+PONG" when ready). */
export function redisPing(host: string, port: number, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let reply = '';
    let settled = false;
    const done = (error?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(reply.split('\r\n')[0] ?? '');
    };
    socket.setTimeout(timeoutMs, () =>
      done(new Error(`no PING reply from ${host}:${port} in ${timeoutMs} ms`)),
    );
    socket.once('error', (error) => done(error));
    socket.once('close', () => done(new Error(`${host}:${port} closed the connection without a PING reply`)));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done();
    });
  });
}

/**
 * Starts redis-server (Debian package `redis-server`) on a free 127.0.0.1 port: no persistence
 * (`--save ''`, no AOF), its dir a fresh temp dir. Resolves once PING answers +PONG.
 */
export async function startRedis(): Promise<RedisServer> {
  const binary = findBinary('redis-server', 'redis-server');
  const dir = makeTempDir('redis');
  let child: ManagedProcess | undefined;
  const destroy = async () => {
    await child?.stop('SIGTERM', 10_000);
    removeTempDir(dir);
  };
  try {
    const host = '127.0.0.1';
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = spawnChild({
        name: 'redis-server',
        command: binary,
        args: ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', dir],
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      });
      child = started;
      try {
        await waitFor(
          async () => {
            if (started.hasExited) {
              throw new GiveUpWaiting(
                `redis-server exited (code ${started.exitCode}) while starting:\n${started.outputTail(30)}`,
              );
            }
            return (await redisPing(host, port)) === '+PONG';
          },
          { timeoutMs: 15_000, intervalMs: 50, what: `redis-server on ${host}:${port} to answer PING` },
        );
        return { host, port, url: `redis://${host}:${port}`, destroy };
      } catch (error) {
        if (error instanceof GiveUpWaiting && attempt < PORT_ATTEMPTS && lostPortRace(started.output()))
          continue;
        throw error;
      }
    }
  } catch (error) {
    await destroy().catch(() => {});
    throw error;
  }
}
