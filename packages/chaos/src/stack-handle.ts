import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  groupMembers,
  isRunning,
  type NativeState,
  readState,
  readSupervisorStatus,
  type SupervisedRecord,
  type SupervisorStatus,
} from '@reelwatch/stack';

/** The repository root (packages/chaos/src or dist -> ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const STACK_CLI = path.join(REPO_ROOT, 'packages', 'stack', 'bin', 'stack.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The running native stack as the fault run sees it: its state file, each component's supervisor
 * report and environment, and the CLI for what a user would type (stop, start, status).
 */
export class NativeStack {
  constructor(readonly stateDir: string) {}

  state(): NativeState {
    const state = readState(this.stateDir);
    if (!state)
      throw new Error(
        `no native stack in ${this.stateDir}: start one with pnpm stack up --mode native (or pnpm chaos --up)`,
      );
    return state;
  }

  record(name: string): SupervisedRecord {
    const record = this.state().processes[name];
    if (!record) throw new Error(`${name} is not running in the native stack (${this.stateDir})`);
    return record;
  }

  has(name: string): boolean {
    return this.state().processes[name] !== undefined;
  }

  port(name: string): number {
    const port = this.state().ports[name];
    if (port === undefined) throw new Error(`no port for ${name}`);
    return port;
  }

  url(name: string, suffix = ''): string {
    return `http://127.0.0.1:${this.port(name)}${suffix}`;
  }

  supervisor(name: string): SupervisorStatus | undefined {
    const record = this.record(name);
    return record.statusFile ? readSupervisorStatus(record.statusFile) : undefined;
  }

  /** The component's own process id (its supervisor's child; the recorded process when unsupervised). */
  pid(name: string): number | undefined {
    const record = this.record(name);
    if (!record.statusFile) return isRunning(record) ? record.pid : undefined;
    return this.supervisor(name)?.childPid ?? undefined;
  }

  /**
   * Every process of the component but its supervisor: its own process and all its descendants
   * (PostgreSQL's backends each run in a session of their own, so the process group is not enough).
   */
  processes(name: string): number[] {
    const record = this.record(name);
    const roots = record.statusFile
      ? [this.pid(name)].filter((p): p is number => p !== undefined)
      : groupMembers(record.pid);
    return [...new Set(roots.flatMap((root) => [root, ...descendants(root)]))];
  }

  /** The environment the component was started with (from its supervisor's spec). */
  env(name: string): Record<string, string> {
    const spec = path.join(this.stateDir, 'supervise', `${name}.spec.json`);
    if (!existsSync(spec)) return {};
    return (JSON.parse(readFileSync(spec, 'utf8')) as { launch: { env: Record<string, string> } }).launch.env;
  }

  log(name: string): string {
    return this.record(name).log;
  }

  componentDir(name: string): string {
    return path.join(this.stateDir, name);
  }

  kafkaBrokers(): string[] {
    const brokers = this.state().runtime.kafkaBrokers;
    if (!brokers) throw new Error('the stack has no Kafka address yet');
    return brokers.split(',');
  }

  /** `pnpm stack <args>` against this stack, as a user runs it. */
  cli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<CliResult> {
    return runStackCli([...args, '--mode', 'native', '--state-dir', this.stateDir], env, timeoutMs);
  }

  /** Every component fine (healthy, running, skipped), as `status` sees it. */
  async componentsFine(): Promise<{ fine: boolean; problems: string[] }> {
    const result = await this.cli(['status', '--json']);
    const report = JSON.parse(result.stdout) as {
      components: { name: string; state: string; detail?: string }[];
    };
    const problems = report.components
      .filter((c) => !['healthy', 'running', 'skipped', 'completed'].includes(c.state))
      .map((c) => `${c.name} ${c.state}${c.detail ? ` (${c.detail.split('\n')[0]})` : ''}`);
    return { fine: problems.length === 0, problems };
  }
}

export function runStackCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STACK_CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every process below `root` in the parent tree (from /proc/<pid>/stat's ppid field). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Sends `signal` to each pid that still exists. */
export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** Resident set size of a process in MB (/proc/<pid>/status VmRSS), undefined when it is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
