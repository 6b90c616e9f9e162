import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LaunchSpec } from './processes';

/**
 * Native mode's restart policy, Compose's `restart: unless-stopped` on one machine: a component
 * that exits for any reason other than `down` is started again after a delay that doubles from
 * 100 ms up to 30 s, and falls back to 100 ms once a run has lasted 10 s. Three quick exits in a
 * row (each under 10 s) mark it crash-looping (Kubernetes' CrashLoopBackOff); it is still retried
 * at the long delay, so a component whose cause is fixed comes back by itself.
 */
export const RESTART_POLICY = {
  initialDelayMs: 100,
  maxDelayMs: 30_000,
  /** A run this long resets the delay and the quick-exit count. */
  stableAfterMs: 10_000,
  /** Consecutive quick exits that make it crash-looping. */
  crashLoopAfter: 3,
} as const;

export type SupervisedState =
  | 'running'
  | 'restarting'
  | 'crash-looping'
  /** stopped on request (SIGUSR1, `pnpm stack stop <name>`), not restarted until SIGUSR2 */
  | 'held'
  | 'stopping'
  | 'stopped';

/** What the supervisor reports in `<stateDir>/supervise/<name>.status.json` for `status`. */
export interface SupervisorStatus {
  name: string;
  state: SupervisedState;
  /** The component's own process (what `kill -9` would hit), null while restarting. */
  childPid: number | null;
  /** Restarts since `up` (exits not asked for). */
  restarts: number;
  /** Consecutive exits after runs shorter than stableAfterMs. */
  quickExits: number;
  lastExit: { code: number | null; signal: string | null; at: string; ranMs: number } | null;
  /** When the next start is due (state restarting or crash-looping). */
  nextStartAt: string | null;
  updatedAt: string;
}

/** What `up` hands the supervisor (as a JSON file: its only argument). */
export interface SupervisorSpec {
  name: string;
  launch: LaunchSpec;
  log: string;
  statusFile: string;
  /** The component's graceful stop signal (PostgreSQL: SIGINT), for SIGUSR1. */
  stopSignal?: NodeJS.Signals;
}

export function supervisorDir(stateDir: string): string {
  return path.join(stateDir, 'supervise');
}

export function supervisorFiles(stateDir: string, name: string): { spec: string; status: string } {
  const dir = supervisorDir(stateDir);
  return { spec: path.join(dir, `${name}.spec.json`), status: path.join(dir, `${name}.status.json`) };
}

export function readSupervisorStatus(file: string): SupervisorStatus | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SupervisorStatus;
  } catch {
    return undefined; // never half a file (rename), but a foreign file is not ours to trust
  }
}

/** The delay before restart number `quickExits` (1-based) of a component that keeps exiting. */
export function restartDelayMs(quickExits: number): number {
  const { initialDelayMs, maxDelayMs } = RESTART_POLICY;
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, quickExits - 1));
}

/**
 * Runs `spec.launch` as a child in this process group and starts it again whenever it exits, until
 * SIGTERM or SIGINT (what `down` sends the group; the child gets the same signal and is waited for).
 */
export function supervise(spec: SupervisorSpec): void {
  mkdirSync(path.dirname(spec.statusFile), { recursive: true });
  const status: SupervisorStatus = {
    name: spec.name,
    state: 'running',
    childPid: null,
    restarts: 0,
    quickExits: 0,
    lastExit: null,
    nextStartAt: null,
    updatedAt: new Date().toISOString(),
  };
  let child: ChildProcess | undefined;
  let startedAt = 0;
  let stopping = false;
  let held = false;
  /** SIGUSR2 came while the held component was still stopping: start it once it is down. */
  let releasing = false;
  // Nothing else keeps this process alive while the component is held stopped or waits to restart.
  const keepAlive = setInterval(() => undefined, 60_000);
  let timer: NodeJS.Timeout | undefined;
  let stableTimer: NodeJS.Timeout | undefined;

  const publish = () => {
    status.updatedAt = new Date().toISOString();
    writeFileSync(`${spec.statusFile}.tmp`, `${JSON.stringify(status, null, 2)}\n`);
    renameSync(`${spec.statusFile}.tmp`, spec.statusFile);
  };
  const note = (text: string) => {
    writeFileSync(spec.log, `--- pnpm stack supervisor: ${text} (${new Date().toISOString()}) ---\n`, {
      flag: 'a',
    });
  };

  const start = () => {
    timer = undefined;
    if (stopping || held || child) return;
    let launched: ChildProcess;
    try {
      const fd = openSync(spec.log, 'a');
      try {
        const { command, args, env, cwd, uid, gid } = spec.launch;
        launched = spawn(command, args, {
          cwd,
          env,
          stdio: ['ignore', fd, fd],
          ...(uid !== undefined ? { uid, gid } : {}),
        });
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      // spawn itself threw (EPERM for uid, a log that cannot be opened): an exit like any other
      note(`could not start ${spec.launch.command}: ${(error as Error).message}`);
      startedAt = Date.now();
      exited(null, null);
      return;
    }
    child = launched;
    startedAt = Date.now();
    let ended = false;
    const end = (code: number | null, signal: NodeJS.Signals | null) => {
      if (ended || child !== launched) return;
      ended = true;
      exited(code, signal);
    };
    // A process that could not be started (ENOENT: binary or cwd gone) emits 'error' and never
    // 'exit': count it as an exit, or the supervisor would wait for it forever.
    launched.once('error', (error) => {
      note(`could not start ${spec.launch.command}: ${error.message}`);
      if (launched.pid === undefined) end(null, null);
    });
    launched.once('exit', (code, signal) => end(code, signal));
    status.childPid = launched.pid ?? null;
    if (status.state !== 'crash-looping') status.state = 'running';
    status.nextStartAt = null;
    publish();
    // a run that lasts is healthy again: the quick-exit count (and crash-looping) start over
    stableTimer = setTimeout(() => {
      status.quickExits = 0;
      status.state = 'running';
      publish();
    }, RESTART_POLICY.stableAfterMs);
  };

  const exited = (code: number | null, signal: NodeJS.Signals | null) => {
    child = undefined;
    clearTimeout(stableTimer);
    const ranMs = Date.now() - startedAt;
    status.childPid = null;
    status.lastExit = { code, signal, at: new Date().toISOString(), ranMs };
    if (stopping) {
      status.state = 'stopped';
      publish();
      clearInterval(keepAlive);
      process.exit(0);
    }
    if (held) {
      status.state = 'held';
      note(`${spec.name} stopped on request; held until started again`);
      publish();
      return;
    }
    if (releasing) {
      // stopped on request and asked to start again before it was down: not a crash
      releasing = false;
      note(`${spec.name} stopped on request and started again`);
      start();
      return;
    }
    status.quickExits = ranMs < RESTART_POLICY.stableAfterMs ? status.quickExits + 1 : 1;
    status.restarts++;
    const delay = restartDelayMs(status.quickExits);
    status.state = status.quickExits >= RESTART_POLICY.crashLoopAfter ? 'crash-looping' : 'restarting';
    status.nextStartAt = new Date(Date.now() + delay).toISOString();
    note(
      `${spec.name} exited (${signal ? `signal ${signal}` : `code ${code}`}) after ${(ranMs / 1000).toFixed(1)} s; ` +
        `restart ${status.restarts} in ${(delay / 1000).toFixed(1)} s${status.state === 'crash-looping' ? ', crash-looping' : ''}`,
    );
    publish();
    timer = setTimeout(start, delay);
  };

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    status.state = 'stopping';
    publish();
    clearTimeout(timer);
    clearTimeout(stableTimer);
    if (!child) {
      status.state = 'stopped';
      publish();
      process.exit(0);
    }
    // The group usually got the signal too (down signals the group); a signal sent to the
    // supervisor alone is passed on. A second one does no harm.
    child.kill(signal);
  };
  // Stop the component and keep it stopped (`pnpm stack stop <name>`), then start it again.
  process.on('SIGUSR1', () => {
    if (stopping || held) return;
    held = true;
    releasing = false;
    clearTimeout(timer);
    clearTimeout(stableTimer);
    if (child) {
      status.state = 'stopping';
      publish();
      child.kill(spec.stopSignal ?? 'SIGTERM');
    } else {
      status.state = 'held';
      publish();
    }
  });
  process.on('SIGUSR2', () => {
    if (stopping || !held) return;
    held = false;
    status.quickExits = 0;
    if (child)
      releasing = true; // still stopping: started again when it is down
    else start();
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => undefined); // the terminal `up` ran in may close
  start();
}
