import { findBinary } from './binaries';
import { freePort, lostPortRace, PORT_ATTEMPTS } from './ports';
import { type ManagedProcess, spawnChild } from './process';
import { makeTempDir, removeTempDir } from './temp';
import { GiveUpWaiting, waitFor } from './wait';

export interface HttpDaemonOptions {
  /** For messages and the temp dir name: "prometheus". */
  name: string;
  binary: string;
  debianPackage: string;
  /** The command line, given the port to listen on and the daemon's own temp dir. */
  args(port: number, dir: string): string[];
  /** Called with the temp dir before the start, to write config files into it. */
  prepare?(dir: string): void;
  /** GET path answering 200 once the daemon is ready (default /-/ready). */
  readyPath?: string;
  timeoutMs?: number;
}

export interface RunningHttpDaemon {
  url: string;
  port: number;
  dir: string;
  process: ManagedProcess;
  destroy(): Promise<void>;
}

/**
 * Starts a daemon that listens on one 127.0.0.1 port and has a readiness endpoint (Prometheus,
 * Pushgateway, Alertmanager), in its own temp dir; destroy() stops it and removes the dir.
 */
export async function startHttpDaemon(options: HttpDaemonOptions): Promise<RunningHttpDaemon> {
  const binary = findBinary(options.binary, options.debianPackage);
  const dir = makeTempDir(options.name);
  let child: ManagedProcess | undefined;
  const destroy = async () => {
    await child?.stop('SIGTERM', 10_000);
    removeTempDir(dir);
  };
  try {
    options.prepare?.(dir);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const started = spawnChild({
        name: options.name,
        command: binary,
        args: options.args(port, dir),
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
      });
      child = started;
      const readyUrl = `${url}${options.readyPath ?? '/-/ready'}`;
      try {
        await waitFor(
          async () => {
            if (started.hasExited) {
              throw new GiveUpWaiting(
                `${options.name} exited (code ${started.exitCode}) while starting:\n${started.outputTail(30)}`,
              );
            }
            const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) });
            await response.arrayBuffer();
            return response.status === 200;
          },
          { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 50, what: `${options.name} at ${readyUrl}` },
        );
        return { url, port, dir, process: started, destroy };
      } catch (error) {
        if (error instanceof GiveUpWaiting) {
          if (attempt < PORT_ATTEMPTS && lostPortRace(started.output())) continue;
          throw error;
        }
        throw new Error(
          `${(error as Error).message}\n--- ${options.name} output tail ---\n${started.outputTail(30)}`,
          {
            cause: error,
          },
        );
      }
    }
  } catch (error) {
    await destroy().catch(() => {});
    throw error;
  }
}
