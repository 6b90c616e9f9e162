import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Backend, LogsOptions, UpOptions, UrlList } from '../backend';
import { COMPONENTS, type ComponentUrl, type Runtime } from '../components';
import { embeddedKafka } from '../components/kafka';
import { componentDir } from '../components/support';
import type { StackContext } from '../context';
import { StackError } from '../errors';
import { Progress } from '../progress';
import { type PrometheusSummary, prometheusProblems, prometheusSummary } from '../prometheus-status';
import { sleep } from '../sleep';
import { type ComponentStatus, componentProblems, type StatusReport } from '../status-report';
import { acquireLock } from './lock';
import { printLogs } from './logs';
import { SYSTEM_POSTGRES_BASE, systemPostgresRoot } from './postgres-root';
import { ensureBinaries, ensureBuilt, ensurePortsFree, planSkips } from './preflight';
import { isRunning, stopGroup } from './processes';
import { type NativeSettings, nativeSettings } from './settings';
import { startComponent, waitForTargets } from './start';
import { logDir, type NativeState, readState, removeState, writeState } from './state';
import { readSupervisorStatus } from './supervisor';
import { tail } from './wait';

export class NativeBackend implements Backend {
  readonly kind = 'native' as const;
  readonly settings: NativeSettings;

  constructor(private readonly ctx: StackContext) {
    this.settings = nativeSettings({
      root: ctx.root,
      stateDir: ctx.stateDir,
      env: ctx.env,
      portBase: ctx.portBase,
    });
    // a running stack keeps the ports it was started with, whatever this invocation says
    const state = readState(this.settings.stateDir);
    if (state && ctx.portBase === undefined) this.settings.ports = state.ports;
    if (state?.postgresRoot) this.settings.postgresRoot = state.postgresRoot;
  }

  /** PostgreSQL's data is outside the state dir (as root, under /var/lib/reelwatch-stack/). */
  private get postgresElsewhere(): boolean {
    return this.settings.postgresRoot !== this.settings.stateDir;
  }

  private get out() {
    return this.ctx.out;
  }

  async up(options: UpOptions): Promise<number> {
    if (options.without.length > 0)
      throw new StackError(
        'USAGE',
        '--without is for the Docker stack; natively, a component whose binaries are missing is skipped (pnpm stack doctor)',
      );
    const lock = acquireLock(this.settings.stateDir, 'up');
    try {
      const existing = readState(this.settings.stateDir);
      if (existing && (await this.alreadyRunning(existing))) return 0;
      await this.startAll(options);
    } finally {
      lock.release();
    }
    if (!options.attach) {
      this.out.note('running in the background: pnpm stack status | logs [-f] | down');
      return 0;
    }
    await this.attach();
    return 0;
  }

  /** True when the stack runs already (its URLs printed); a half-running one is stopped first. */
  private async alreadyRunning(existing: NativeState): Promise<boolean> {
    const records = Object.values(existing.processes);
    if (records.length > 0 && records.every(isRunning)) {
      this.out.note('the native stack is already running (pnpm stack status, pnpm stack down)');
      this.printUrls(existing.runtime);
      return true;
    }
    this.out.note('a previous native stack was left half-running: stopping what is left of it first');
    await this.stopAll(existing, undefined);
    removeState(this.settings.stateDir);
    return false;
  }

  /** Every component in order, then Prometheus' targets; on any failure, stops what was started. */
  private async startAll(options: UpOptions): Promise<void> {
    const s = this.settings;
    const progress = new Progress(this.out);
    let state: NativeState | undefined;
    try {
      const rt: Runtime = { skipped: {} };
      ensureBinaries(s, this.out, rt, options.install);
      for (const c of COMPONENTS)
        progress.set(c.name, rt.skipped[c.name] ? 'skipped' : 'waiting', rt.skipped[c.name] ?? '');
      ensureBuilt(s, rt, progress);
      await ensurePortsFree(s, rt);
      mkdirSync(logDir(s.stateDir), { recursive: true });
      state = {
        mode: 'native',
        startedAt: new Date().toISOString(),
        ports: s.ports,
        postgresRoot: s.postgresRoot,
        runtime: rt,
        processes: {},
        external: [],
      };
      writeState(s.stateDir, state);
      const startOptions = { signal: this.ctx.signal, timeoutMs: options.timeoutSec * 1000 };
      for (const c of COMPONENTS) {
        if (rt.skipped[c.name] !== undefined) continue;
        if (this.ctx.signal.aborted) throw new StackError('START_FAILED', 'interrupted');
        progress.set(c.name, 'starting', s.ports[c.name] ? `:${s.ports[c.name]}` : '');
        await startComponent(c, s, state, startOptions);
        progress.set(
          c.name,
          'healthy',
          s.ports[c.name] ? `:${s.ports[c.name]}` : (c.urls?.(s, rt)[0]?.url ?? ''),
        );
      }
      await waitForTargets(s, progress, startOptions);
      progress.done();
      this.printUrls(rt);
    } catch (error) {
      progress.done();
      if (state) {
        this.out.note('stopping what was started');
        await this.stopAll(state, undefined);
        removeState(s.stateDir);
      }
      throw error;
    }
  }

  /** `up --attach`: reports components that exit, and stops the stack on Ctrl-C. */
  private async attach(): Promise<void> {
    this.out.note('attached: Ctrl-C stops the stack');
    // the watch timer also keeps the event loop (and so this process) alive until Ctrl-C
    const reported = new Set<string>();
    const restarts = new Map<string, number>();
    const watch = setInterval(() => {
      const current = readState(this.settings.stateDir);
      for (const [name, record] of Object.entries(current?.processes ?? {})) {
        const supervised = record.statusFile ? readSupervisorStatus(record.statusFile) : undefined;
        if (supervised && supervised.restarts > (restarts.get(name) ?? 0)) {
          restarts.set(name, supervised.restarts);
          const exit = supervised.lastExit;
          this.out.note(
            `${name} exited (${exit?.signal ? `signal ${exit.signal}` : `code ${exit?.code}`}) and is restarted (${supervised.restarts} so far${supervised.state === 'crash-looping' ? ', crash-looping' : ''}); its log: ${record.log}`,
          );
        }
        if (reported.has(name) || isRunning(record)) continue;
        reported.add(name);
        this.out.note(`${name} exited; its log: ${record.log}`);
      }
    }, 2_000);
    await new Promise<void>((resolve) => {
      if (this.ctx.signal.aborted) resolve();
      this.ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    clearInterval(watch);
    await this.down({ volumes: false });
  }

  private async stopAll(state: NativeState, progress: Progress | undefined): Promise<void> {
    for (const c of [...COMPONENTS].reverse()) {
      const record = state.processes[c.name];
      if (!record) continue;
      progress?.set(c.name, 'stopping');
      const how = await stopGroup(record, { signal: c.stopSignal ?? 'SIGTERM', timeoutMs: 20_000 });
      progress?.set(c.name, 'stopped', how === 'killed' ? 'did not stop in 20 s: killed' : '');
    }
  }

  async down(options: { volumes: boolean }): Promise<number> {
    const s = this.settings;
    const lock = acquireLock(s.stateDir, 'down');
    try {
      const state = readState(s.stateDir);
      if (!state) this.out.note('the native stack is not running');
      else {
        const progress = new Progress(this.out);
        await this.stopAll(state, progress);
        progress.done();
        removeState(s.stateDir);
      }
      if (options.volumes) {
        // PostgreSQL's data kept outside the state dir (as root): this state dir's own, and only it
        for (const root of new Set([s.postgresRoot, systemPostgresRoot(s.stateDir)])) {
          if (root === s.stateDir || !existsSync(root)) continue;
          rmSync(root, { recursive: true, force: true });
          this.out.note(`removed the PostgreSQL data in ${root}`);
          if (existsSync(SYSTEM_POSTGRES_BASE) && readdirSync(SYSTEM_POSTGRES_BASE).length === 0)
            rmSync(SYSTEM_POSTGRES_BASE, { recursive: true, force: true });
        }
        for (const entry of existsSync(s.stateDir) ? readdirSync(s.stateDir) : []) {
          if (entry === 'lock') continue;
          rmSync(path.join(s.stateDir, entry), { recursive: true, force: true });
        }
        this.out.note(`removed the data in ${s.stateDir}`);
      }
    } finally {
      lock.release();
    }
    if (options.volumes) rmSync(s.stateDir, { recursive: true, force: true });
    return 0;
  }

  async stopOne(name: string): Promise<number> {
    await this.signalSupervisor(name, 'SIGUSR1', 'held');
    this.out.note(`${name} stopped; it stays stopped until pnpm stack start ${name}`);
    return 0;
  }

  async startOne(name: string): Promise<number> {
    await this.signalSupervisor(name, 'SIGUSR2', 'running');
    this.out.note(`${name} started again`);
    return 0;
  }

  /** Asks a component's supervisor to hold (stop) or release (start) it, and waits for it. */
  private async signalSupervisor(
    name: string,
    signal: 'SIGUSR1' | 'SIGUSR2',
    want: 'held' | 'running',
  ): Promise<void> {
    const component = COMPONENTS.find((c) => c.name === name);
    if (!component)
      throw new StackError(
        'USAGE',
        `no component ${name}; components: ${COMPONENTS.map((c) => c.name).join(', ')}`,
      );
    const state = readState(this.settings.stateDir);
    const record = state?.processes[name];
    if (!state || !record || !isRunning(record))
      throw new StackError('NOT_RUNNING', `${name} is not running in the native stack (pnpm stack status)`);
    if (!record.statusFile)
      throw new StackError(
        'USAGE',
        `${name} cannot be stopped and started on its own: ${component.noRestart ?? 'not supervised'}`,
      );
    process.kill(record.pid, signal);
    const deadline = Date.now() + 30_000;
    while (readSupervisorStatus(record.statusFile)?.state !== want) {
      if (Date.now() > deadline)
        throw new StackError(
          'NOT_HEALTHY',
          `${name} did not become ${want} in 30 s (its log: ${record.log})`,
        );
      await sleep(100, this.ctx.signal);
    }
  }

  async status(): Promise<StatusReport> {
    const s = this.settings;
    const state = readState(s.stateDir);
    const report: StatusReport = {
      mode: 'native',
      running: state !== undefined,
      healthy: false,
      components: [],
      prometheus: null,
      problems: [],
      notes: [],
    };
    if (!state) {
      report.notes.push(`no native stack in ${s.stateDir} (pnpm stack up starts one)`);
      report.problems.push('not running');
      return report;
    }
    const rt = state.runtime;
    for (const c of COMPONENTS) {
      const status: ComponentStatus = { name: c.name, state: 'stopped' };
      const record = state.processes[c.name];
      if (rt.skipped[c.name] !== undefined) {
        status.state = 'skipped';
        status.detail = rt.skipped[c.name];
      } else if (record && !isRunning(record)) {
        status.detail = `process ${record.pid} is gone (log: ${record.log})${c.noRestart ? `; not restarted: ${c.noRestart}` : ''}`;
      } else if (record?.statusFile && !supervisedRunning(record.statusFile, record.log, status)) {
        // restarting or crash-looping: state and detail set from the supervisor's report
      } else if (record || state.external.includes(c.name)) {
        try {
          await c.health(s, rt);
          status.state = 'healthy';
          const detail = [c.detail?.(s), restartNote(status)].filter(Boolean).join('; ');
          if (detail) status.detail = detail;
        } catch (error) {
          status.state = 'unhealthy';
          status.detail = [(error as Error).message, restartNote(status)].filter(Boolean).join('; ');
        }
      } else status.detail = 'not started';
      report.components.push(status);
    }
    let summary: PrometheusSummary | null = null;
    if (state.processes.prometheus)
      summary = await prometheusSummary(`http://127.0.0.1:${s.ports.prometheus}`);
    report.prometheus = summary;
    report.problems = [
      ...componentProblems(report.components),
      ...(summary ? prometheusProblems(summary) : []),
    ];
    report.healthy = report.problems.length === 0;
    if (embeddedKafka(s, rt))
      report.notes.push(
        'Kafka is the embedded mock cluster: it keeps nothing across restarts (set KAFKA_BROKERS for a real one)',
      );
    if (this.postgresElsewhere)
      report.notes.push(`PostgreSQL data: ${s.postgresRoot} (the postgres user cannot reach ${s.stateDir})`);
    if (rt.skipped.grafana)
      report.notes.push(
        `no Grafana here: use Prometheus' own UI at http://127.0.0.1:${s.ports.prometheus}/graph`,
      );
    return report;
  }

  urls(): UrlList {
    const state = readState(this.settings.stateDir);
    let rt = state?.runtime;
    if (!rt) {
      // not running: the addresses `up` would give, without what it would skip
      rt = { skipped: {} };
      planSkips(this.settings, rt);
    }
    return { running: state !== undefined, urls: this.urlList(rt), notes: this.notes(rt) };
  }

  private urlList(rt: Runtime): ComponentUrl[] {
    return COMPONENTS.filter((c) => rt.skipped[c.name] === undefined).flatMap(
      (c) => c.urls?.(this.settings, rt) ?? [],
    );
  }

  private notes(rt: Runtime): string[] {
    const notes: string[] = [];
    if (embeddedKafka(this.settings, rt))
      notes.push(
        'Kafka is the embedded librdkafka mock cluster: it keeps nothing across restarts (set KAFKA_BROKERS to use a real Kafka)',
      );
    if (rt.skipped.grafana)
      notes.push(
        `Grafana is not installed here, so no dashboards: use Prometheus' own UI at http://127.0.0.1:${this.settings.ports.prometheus}/graph`,
      );
    for (const [name, why] of Object.entries(rt.skipped))
      if (name !== 'grafana') notes.push(`${name} not started: ${why}`);
    if (this.postgresElsewhere)
      notes.push(
        `PostgreSQL data: ${this.settings.postgresRoot} (root-owned: the postgres user cannot reach ${this.settings.stateDir}; pnpm stack down --volumes removes it)`,
      );
    notes.push(
      `data, logs and pid files: ${this.settings.stateDir} (pnpm stack down --volumes removes them)`,
    );
    return notes;
  }

  private printUrls(rt: Runtime): void {
    const out = this.out;
    out.line();
    out.table(
      this.urlList(rt).map((u) => [out.paint('bold', u.name), u.url, out.paint('dim', u.note ?? '')]),
    );
    out.line();
    for (const note of this.notes(rt)) out.line(`${out.paint('info', 'note:')} ${note}`);
  }

  logFiles(): Record<string, string> {
    const dir = logDir(this.settings.stateDir);
    const files: Record<string, string> = {};
    for (const c of COMPONENTS) {
      const file = path.join(dir, `${c.name}.log`);
      if (existsSync(file)) files[c.name] = file;
    }
    return files;
  }

  async logs(options: LogsOptions): Promise<number> {
    const files = this.logFiles();
    if (options.service && !COMPONENTS.some((c) => c.name === options.service))
      throw new StackError(
        'USAGE',
        `no component ${options.service}; components: ${COMPONENTS.map((c) => c.name).join(', ')}`,
      );
    const chosen = Object.entries(files).filter(([name]) => !options.service || name === options.service);
    if (chosen.length === 0) {
      this.out.note(`no logs yet in ${logDir(this.settings.stateDir)}`);
      return options.service ? 1 : 0;
    }
    await printLogs(chosen, options, this.out, this.ctx.signal);
    return 0;
  }

  componentDir(name: string): string {
    return componentDir(this.settings, name);
  }
}

/**
 * Fills `status` from a supervisor's report: the component's pid and restarts; false (with state
 * and detail set) when it is not running now (restarting or crash-looping).
 */
function supervisedRunning(statusFile: string, log: string, status: ComponentStatus): boolean {
  const report = readSupervisorStatus(statusFile);
  if (!report) return true; // not written yet: the health check decides
  status.restarts = report.restarts;
  if (report.childPid !== null) status.pid = report.childPid;
  const exit = report.lastExit;
  const exitText = exit
    ? `exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}) after ${(exit.ranMs / 1000).toFixed(1)} s`
    : '';
  if (report.state === 'crash-looping') {
    status.state = 'crash-looping';
    status.detail = `${report.restarts} restarts, ${report.quickExits} quick exits in a row; last ${exitText}; next start ${report.nextStartAt ?? 'now'}. Last lines of ${log}:\n${tail(log, 10)}`;
    return false;
  }
  if (report.state === 'held') {
    status.state = 'stopped';
    status.detail = `stopped on request (pnpm stack start ${report.name} starts it again)`;
    return false;
  }
  if (report.state === 'restarting') {
    status.state = 'restarting';
    status.detail = `${exitText}; restart ${report.restarts} at ${report.nextStartAt ?? 'now'}`;
    return false;
  }
  return true;
}

function restartNote(status: ComponentStatus): string {
  return status.restarts ? `restarts ${status.restarts}` : '';
}
