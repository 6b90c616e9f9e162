import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  APP_DATABASE,
  findBinary,
  groupMembers,
  isRunning,
  type NativeState,
  readState,
  readSupervisorStatus,
  type SupervisedRecord,
  type SupervisorStatus,
} from '@reelwatch/stack';
import type pg from 'pg';
import { scaleAlertmanagerConfig, scaleRuleFile } from './time-scale';

/** The repository root (packages/chaos/src or dist -> ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const STACK_CLI = path.join(REPO_ROOT, 'packages', 'stack', 'bin', 'stack.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The running stack as the fault run sees it, native or Compose: where each component's process
 * is, how a user stops and starts one, how to reach its database and the Kafka topic, and how the
 * alert rules are made faster for a short run.
 */
export interface StackHandle {
  readonly mode: 'native' | 'compose';
  has(name: string): boolean;
  /** HTTP address of prometheus, alertmanager or task-monitor, from this machine. */
  url(name: string, suffix?: string): string;
  /** The component's main process on this machine (a new one after each restart). */
  pid(name: string): Promise<number | undefined>;
  /** Every process of the component (a hang stops them all), not its supervisor. */
  processes(name: string): Promise<number[]>;
  /** Resident memory of the component now, and which process it was measured on. */
  rss(name: string): Promise<{ pid: number; mb: number } | undefined>;
  /** What a user types to stop and to start one component. */
  stop(name: string): Promise<void>;
  start(name: string): Promise<void>;
  /** The environment the component was started with. */
  env(name: string): Promise<Record<string, string>>;
  /** A superuser connection to one of the stack's PostgreSQL servers. */
  database(name: string): Promise<pg.ClientConfig>;
  /** pg-exporter's `server` label for a stack database (host:port/database). */
  pgServer(name: string): string;
  /** kcat's command line (the binary, or a container on the stack's network) and the brokers. */
  kcat(): Promise<{ command: string[]; brokers: string }>;
  /** What the alert receiver (alert-sink) logged. */
  alertSinkLog(): Promise<string>;
  /** Rules and Alertmanager timers divided by `factor` (1: as shipped), live. Returns the scrape interval. */
  applyTimeScale(factor: number): Promise<number>;
  /** Every component fine (healthy, running, done), else what is not. */
  componentsFine(): Promise<{ fine: boolean; problems: string[] }>;
  /** Headers task-monitor's API wants (basic auth where the stack sets it). */
  taskMonitorHeaders(): Record<string, string>;
}

/**
 * The running native stack as the fault run sees it: its state file, each component's supervisor
 * report and environment, and the CLI for what a user would type (stop, start, status).
 */
export class NativeStack implements StackHandle {
  readonly mode = 'native';
  constructor(
    readonly stateDir: string,
    /** Scrape interval the stack was started with (REELWATCH_STACK_SCRAPE_INTERVAL). */
    private readonly scrapeIntervalSec = 15,
  ) {}

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
  async pid(name: string): Promise<number | undefined> {
    return this.ownPid(name);
  }

  private ownPid(name: string): number | undefined {
    const record = this.record(name);
    if (!record.statusFile) return isRunning(record) ? record.pid : undefined;
    return this.supervisor(name)?.childPid ?? undefined;
  }

  /**
   * Every process of the component but its supervisor: its own process and all its descendants
   * (PostgreSQL's backends each run in a session of their own, so the process group is not enough).
   */
  async processes(name: string): Promise<number[]> {
    const record = this.record(name);
    const roots = record.statusFile
      ? [this.ownPid(name)].filter((p): p is number => p !== undefined)
      : groupMembers(record.pid);
    return [...new Set(roots.flatMap((root) => [root, ...descendants(root)]))];
  }

  async rss(name: string): Promise<{ pid: number; mb: number } | undefined> {
    const pid = this.ownPid(name);
    const mb = pid === undefined ? undefined : rssMb(pid);
    return pid === undefined || mb === undefined ? undefined : { pid, mb };
  }

  async stop(name: string): Promise<void> {
    const r = await this.cli(['stop', name]);
    if (r.code !== 0) throw new Error(`pnpm stack stop ${name} failed: ${r.stderr || r.stdout}`);
  }

  async start(name: string): Promise<void> {
    const r = await this.cli(['start', name]);
    if (r.code !== 0) throw new Error(`pnpm stack start ${name} failed: ${r.stderr || r.stdout}`);
  }

  async database(name: string): Promise<pg.ClientConfig> {
    return { host: '127.0.0.1', port: this.port(name), user: 'postgres', database: APP_DATABASE };
  }

  pgServer(name: string): string {
    return `127.0.0.1:${this.port(name)}/${APP_DATABASE}`;
  }

  async kcat(): Promise<{ command: string[]; brokers: string }> {
    const kcat = findBinary('kcat');
    if (!kcat)
      throw new Error('kcat is not installed (Debian package kcat): the accounting reads the topic with it');
    return { command: [kcat], brokers: this.kafkaBrokers().join(',') };
  }

  async alertSinkLog(): Promise<string> {
    const file = this.record('alert-sink').log;
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Writes the repo's rules and Alertmanager config into the stack, durations divided by `factor`, and reloads both. */
  async applyTimeScale(factor: number): Promise<number> {
    const rulesFrom = path.join(REPO_ROOT, 'prometheus', 'rules');
    const rulesTo = path.join(this.componentDir('prometheus'), 'rules');
    for (const file of readdirSync(rulesFrom).filter((f) => f.endsWith('.yml'))) {
      const text = readFileSync(path.join(rulesFrom, file), 'utf8');
      writeFileSync(path.join(rulesTo, file), factor === 1 ? text : scaleRuleFile(text, factor));
    }
    const amFile = path.join(this.componentDir('alertmanager'), 'alertmanager.yml');
    const original = `${amFile}.shipped`;
    if (!existsSync(original)) copyFileSync(amFile, original);
    writeFileSync(amFile, scaleAlertmanagerConfig(readFileSync(original, 'utf8'), factor));
    for (const component of ['prometheus', 'alertmanager']) {
      const response = await fetch(this.url(component, '/-/reload'), { method: 'POST' });
      if (!response.ok)
        throw new Error(`${component} did not reload its configuration: HTTP ${response.status}`);
    }
    return this.scrapeIntervalSec;
  }

  taskMonitorHeaders(): Record<string, string> {
    const auth = this.envNow('task-monitor').TASK_MONITOR_BASIC_AUTH;
    return auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {};
  }

  async env(name: string): Promise<Record<string, string>> {
    return this.envNow(name);
  }

  /** The environment the component was started with (from its supervisor's spec). */
  private envNow(name: string): Record<string, string> {
    const spec = path.join(this.stateDir, 'supervise', `${name}.spec.json`);
    if (!existsSync(spec)) return {};
    return (JSON.parse(readFileSync(spec, 'utf8')) as { launch: { env: Record<string, string> } }).launch.env;
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
  return run(process.execPath, [STACK_CLI, ...args], { env, timeoutMs });
}

/** Runs a command from the repository root and collects its output (killed after timeoutMs). */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
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
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
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
