import { existsSync } from 'node:fs';
import { spawnChild } from './process';
import { GiveUpWaiting, waitFor } from './wait';

export interface ServiceProcess {
  pid: number;
  url: string;
  port: number;
  /** Everything the service wrote to stdout and stderr so far (the tail). */
  output(): string;
  /** Sends `signal` (default SIGTERM), waits for the exit and returns the exit code (null if killed). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  kill9(): Promise<void>;
}

export interface StartServiceOptions {
  /** Absolute path of the built entry point, e.g. packages/ingestion/dist/main.js. */
  entry: string;
  /** The service's environment (PATH is added); nothing else from the test process leaks in. */
  env: Record<string, string>;
  /** The port the service listens on (its env must say so); health is polled there. */
  port: number;
  healthPath?: string;
  timeoutMs?: number;
}

/** How long stop() waits for a graceful exit before SIGKILLing the service's process group. */
const STOP_GRACE_MS = 30_000;

/**
 * Runs a built service as `node <entry>` in its own process group and resolves once
 * GET http://127.0.0.1:<port><healthPath> answers 200. If it exits or the deadline passes first,
 * throws with the tail of its output.
 */
export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  if (!existsSync(options.entry)) {
    throw new Error(`startService: ${options.entry} does not exist: build it first (pnpm build)`);
  }
  const url = `http://127.0.0.1:${options.port}`;
  const healthUrl = `${url}${options.healthPath ?? '/healthz'}`;
  const child = spawnChild({
    name: options.entry,
    command: process.execPath,
    args: [options.entry],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    outputLimit: 256 * 1024,
  });
  try {
    await waitFor(
      async () => {
        if (child.hasExited) {
          throw new GiveUpWaiting(
            `service ${options.entry} exited (code ${child.exitCode}) before it was healthy`,
          );
        }
        const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.status === 200;
      },
      { timeoutMs: options.timeoutMs ?? 20_000, intervalMs: 50, what: `GET ${healthUrl} to answer 200` },
    );
  } catch (error) {
    await child.stop('SIGKILL', 5_000);
    throw new Error(`${(error as Error).message}\n--- service output tail ---\n${child.outputTail(40)}`, {
      cause: error,
    });
  }
  return {
    pid: child.pid,
    url,
    port: options.port,
    output: () => child.output(),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const status = await child.stop(signal, STOP_GRACE_MS);
      return status.code;
    },
    async kill9() {
      await child.stop('SIGKILL', 5_000);
    },
  };
}
