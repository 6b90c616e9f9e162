import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';

/** A process this CLI started: its pid is also its process group id (it was started with setsid). */
export interface ProcessRecord {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): tells our process from a reused pid. */
  startTime: number | null;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
}

/**
 * Starts a process in its own session and process group, its output appended to `logFile`, and
 * lets it outlive this CLI (`up` returns; `down` stops it later by its group). Stopping the whole
 * group takes its children too (the shell pipeline of the Kafka mock, the postgres backends).
 */
export function spawnDetached(spec: LaunchSpec, logFile: string): Promise<ProcessRecord> {
  const fd = openSync(logFile, 'a');
  return new Promise((resolve, reject) => {
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['ignore', fd, fd],
        ...(spec.uid !== undefined ? { uid: spec.uid, gid: spec.gid } : {}),
      });
      child.once('error', (error) => reject(error));
      child.once('spawn', () => {
        const pid = child.pid!;
        child.unref();
        resolve({ pid, startTime: processStartTime(pid) });
      });
    } catch (error) {
      reject(error);
    } finally {
      closeSync(fd);
    }
  });
}

export function processStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** The recorded process still runs (same pid AND same start time, so not a reused pid). */
export function isRunning(record: ProcessRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (zombie(record.pid)) return false;
  if (record.startTime === null) return true;
  return processStartTime(record.pid) === record.startTime;
}

/** Some process of the group is left (the leader may be gone while a child lives on). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return groupMembers(pgid).some((pid) => !zombie(pid));
}

/** Pids whose process group is `pgid`, from /proc (Linux). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Stops the whole process group: `signal` first (SIGTERM; SIGINT for PostgreSQL's fast shutdown),
 * SIGKILL for whatever is left after `timeoutMs`. Resolves once no member is left. Only groups of
 * records whose leader is still ours (or already gone) are signalled: a reused pid is left alone.
 */
export async function stopGroup(
  record: ProcessRecord,
  options: { signal?: NodeJS.Signals; timeoutMs?: number } = {},
): Promise<'stopped' | 'killed' | 'gone'> {
  const pgid = record.pid;
  const leaderOurs = isRunning(record);
  if (!leaderOurs && (processStartTime(pgid) !== null || !groupAlive(pgid))) return 'gone';
  signalGroup(pgid, options.signal ?? 'SIGTERM');
  if (await waitUntil(() => !groupAlive(pgid), options.timeoutMs ?? 15_000)) return 'stopped';
  signalGroup(pgid, 'SIGKILL');
  await waitUntil(() => !groupAlive(pgid), 5_000);
  return 'killed';
}
