import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Backend, LogsOptions, UpOptions, UrlList } from '../backend';
import type { StackContext } from '../context';
import { StackError } from '../errors';
import { portTaken } from '../probes';
import { Progress } from '../progress';
import { type PrometheusSummary, prometheusProblems, prometheusSummary } from '../prometheus-status';
import { type ComponentStatus, componentProblems, type StatusReport } from '../status-report';
import { aptInstall, type BinaryRequirement, canAptInstall, missingBinaries, packagesOf } from './binaries';
import {
  type ComponentUrl,
  componentDir,
  embeddedKafka,
  NATIVE_COMPONENTS,
  type NativeComponent,
  type Runtime,
  SERVICES,
  SNAPSHOT_PACKAGE,
  serviceEntry,
} from './components';
import { acquireLock } from './lock';
import { groupAlive, isRunning, type ProcessRecord, spawnDetached, stopGroup } from './processes';
import { type NativeSettings, nativeSettings, SYSTEM_POSTGRES_BASE, systemPostgresRoot } from './settings';
import { logDir, type NativeState, readState, removeState, writeState } from './state';

const HEALTH_INTERVAL_MS = 250;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n')
    .trimEnd();
}

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

  /** Components that cannot or need not run here, each with why (and how to get it). */
  private planSkips(rt: Runtime): BinaryRequirement[] {
    const requiredMissing: BinaryRequirement[] = [];
    for (const c of NATIVE_COMPONENTS) {
      const reason = c.unavailable?.(this.settings);
      if (reason) {
        rt.skipped[c.name] = reason;
        continue;
      }
      if (c.name === 'kafka' && this.settings.externalKafka) continue;
      const missing = missingBinaries(c.binaries, this.settings.env);
      if (missing.length === 0) continue;
      if (c.optional)
        rt.skipped[c.name] =
          `not installed (${missing.map((m) => m.binary).join(', ')}): apt-get install ${packagesOf(missing).join(' ')}`;
      else requiredMissing.push(...missing);
    }
    return requiredMissing;
  }

  private ensureBinaries(rt: Runtime, install: boolean): void {
    let missing = this.planSkips(rt);
    if (missing.length === 0) return;
    const packages = packagesOf(missing);
    const names = missing.map((m) => m.binary).join(', ');
    if (install && canAptInstall()) {
      this.out.note(`missing ${names}: installing the Debian packages ${packages.join(' ')} with apt-get`);
      if (!aptInstall(packages, (line) => this.out.note(line)))
        throw new StackError('MISSING_BINARIES', `apt-get install ${packages.join(' ')} failed`);
      for (const key of Object.keys(rt.skipped)) delete rt.skipped[key];
      missing = this.planSkips(rt);
      if (missing.length === 0) return;
    }
    throw new StackError(
      'MISSING_BINARIES',
      `missing ${missing.map((m) => m.binary).join(', ')}: install the packages ${packagesOf(missing).join(' ')} ` +
        `(Debian/Ubuntu: sudo apt-get install ${packagesOf(missing).join(' ')}), then run pnpm stack up again`,
    );
  }

  /** Builds (pnpm) the services whose dist entry is missing, and says so. */
  private ensureBuilt(rt: Runtime, progress: Progress): void {
    const built = [
      ...SERVICES.map((svc) => ({ name: svc.name as string, packageDir: svc.packageDir })),
      { name: 'training-snapshot', packageDir: SNAPSHOT_PACKAGE },
    ];
    const unbuilt = built.filter(
      (svc) =>
        rt.skipped[svc.name] === undefined && !existsSync(serviceEntry(this.settings.root, svc.packageDir)),
    );
    if (unbuilt.length === 0) return;
    for (const svc of unbuilt)
      progress.set(svc.name, 'building', `packages/${svc.packageDir}/dist is missing`);
    const filters = unbuilt.flatMap((svc) => ['--filter', `@reelwatch/${svc.packageDir}...`]);
    const result = spawnSync('pnpm', [...filters, 'run', 'build'], {
      cwd: this.settings.root,
      encoding: 'utf8',
      env: this.settings.env,
    });
    if (result.status !== 0)
      throw new StackError(
        'BUILD_FAILED',
        `pnpm ${[...filters, 'run', 'build'].join(' ')} failed:\n${result.error?.message ?? ''}${result.stdout ?? ''}${result.stderr ?? ''}`,
      );
    for (const svc of unbuilt) progress.set(svc.name, 'waiting', 'built');
  }

  private async ensurePortsFree(rt: Runtime): Promise<void> {
    const taken: string[] = [];
    for (const c of NATIVE_COMPONENTS) {
      if (rt.skipped[c.name] !== undefined) continue;
      const port = c.port?.(this.settings);
      if (port !== undefined && (await portTaken(port))) taken.push(`${c.name} :${port}`);
    }
    if (taken.length > 0)
      throw new StackError(
        'START_FAILED',
        `ports in use: ${taken.join(', ')}. Stop what listens there (ss -ltnp), or choose other ports: pnpm stack up --port-base <port>`,
      );
  }

  private async waitHealthy(
    c: NativeComponent,
    record: (ProcessRecord & { log: string }) | undefined,
    rt: Runtime,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    for (;;) {
      if (this.ctx.signal.aborted) throw new StackError('START_FAILED', 'interrupted');
      if (record && !groupAlive(record.pid))
        throw new StackError(
          'START_FAILED',
          `${c.name} exited while starting. Last lines of ${record.log}:\n${tail(record.log, 20)}`,
        );
      try {
        await c.health(this.settings, rt);
        return;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (Date.now() > deadline)
        throw new StackError(
          'NOT_HEALTHY',
          `${c.name} not healthy after ${Math.round(timeoutMs / 1000)} s (${lastError})` +
            (record ? `. Last lines of ${record.log}:\n${tail(record.log, 20)}` : ''),
        );
      await sleep(HEALTH_INTERVAL_MS, this.ctx.signal);
    }
  }

  async up(options: UpOptions): Promise<number> {
    if (options.without.length > 0)
      throw new StackError(
        'USAGE',
        '--without is for the Docker stack; natively, a component whose binaries are missing is skipped (pnpm stack doctor)',
      );
    const s = this.settings;
    const lock = acquireLock(s.stateDir, 'up');
    let state: NativeState | undefined;
    const progress = new Progress(this.out);
    try {
      const existing = readState(s.stateDir);
      if (existing) {
        const records = Object.values(existing.processes);
        if (records.length > 0 && records.every(isRunning)) {
          this.out.note('the native stack is already running (pnpm stack status, pnpm stack down)');
          this.printUrls(existing.runtime);
          return 0;
        }
        this.out.note('a previous native stack was left half-running: stopping what is left of it first');
        await this.stopAll(existing, undefined);
        removeState(s.stateDir);
      }
      const rt: Runtime = { skipped: {} };
      this.ensureBinaries(rt, options.install);
      for (const c of NATIVE_COMPONENTS)
        progress.set(c.name, rt.skipped[c.name] ? 'skipped' : 'waiting', rt.skipped[c.name] ?? '');
      this.ensureBuilt(rt, progress);
      await this.ensurePortsFree(rt);
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

      for (const c of NATIVE_COMPONENTS) {
        if (rt.skipped[c.name] !== undefined) continue;
        if (this.ctx.signal.aborted) throw new StackError('START_FAILED', 'interrupted');
        progress.set(c.name, 'starting', c.port ? `:${c.port(s)}` : '');
        await c.prepare?.(s, rt);
        const spec = c.launch(s, rt);
        let record: (ProcessRecord & { log: string }) | undefined;
        if (spec) {
          const log = path.join(logDir(s.stateDir), `${c.name}.log`);
          if (c.truncateLog) writeFileSync(log, '');
          else
            writeFileSync(log, `--- pnpm stack up: starting ${c.name} at ${new Date().toISOString()} ---\n`, {
              flag: 'a',
            });
          record = { ...(await spawnDetached(spec, log)), log };
          state.processes[c.name] = record;
        } else state.external.push(c.name);
        writeState(s.stateDir, state);
        await this.waitHealthy(c, record, rt, options.timeoutSec * 1000);
        await c.ready?.(s, rt);
        state.runtime = rt;
        writeState(s.stateDir, state);
        progress.set(c.name, 'healthy', c.port ? `:${c.port(s)}` : (c.urls?.(s, rt)[0]?.url ?? ''));
      }
      await this.waitForTargets(progress, options.timeoutSec * 1000);
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
    } finally {
      lock.release();
    }
    if (!options.attach) {
      this.out.note('running in the background: pnpm stack status | logs [-f] | down');
      return 0;
    }
    this.out.note('attached: Ctrl-C stops the stack');
    // the watch timer also keeps the event loop (and so this process) alive until Ctrl-C
    const reported = new Set<string>();
    const watch = setInterval(() => {
      const current = readState(s.stateDir);
      for (const [name, record] of Object.entries(current?.processes ?? {})) {
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
    return 0;
  }

  /** `up` is done when Prometheus scrapes every target successfully (what Compose users get too). */
  private async waitForTargets(progress: Progress, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const base = `http://127.0.0.1:${this.settings.ports.prometheus}`;
    for (;;) {
      const summary = await prometheusSummary(base);
      const up = summary.targets.filter((t) => t.health === 'up').length;
      const total = summary.targets.length;
      if (summary.reachable && total > 0 && up === total) {
        progress.set('targets', 'healthy', `${up}/${total} Prometheus targets up`);
        return;
      }
      progress.set('targets', 'waiting', `${up}/${total} Prometheus targets up`);
      if (Date.now() > deadline || this.ctx.signal.aborted)
        throw new StackError(
          'NOT_HEALTHY',
          `Prometheus targets not all up: ${summary.targets
            .filter((t) => t.health !== 'up')
            .map((t) => `${t.job} (${t.lastError || t.health})`)
            .join(', ')}`,
        );
      await sleep(500, this.ctx.signal);
    }
  }

  private async stopAll(state: NativeState, progress: Progress | undefined): Promise<void> {
    for (const c of [...NATIVE_COMPONENTS].reverse()) {
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
    for (const c of NATIVE_COMPONENTS) {
      const status: ComponentStatus = { name: c.name, state: 'stopped' };
      const record = state.processes[c.name];
      if (rt.skipped[c.name] !== undefined) {
        status.state = 'skipped';
        status.detail = rt.skipped[c.name];
      } else if (record && !isRunning(record)) {
        status.detail = `process ${record.pid} is gone (log: ${record.log})`;
      } else if (record || state.external.includes(c.name)) {
        try {
          await c.health(s, rt);
          status.state = 'healthy';
          const detail = c.detail?.(s);
          if (detail) status.detail = detail;
        } catch (error) {
          status.state = 'unhealthy';
          status.detail = (error as Error).message;
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
      this.planSkips(rt);
    }
    return { running: state !== undefined, urls: this.urlList(rt), notes: this.notes(rt) };
  }

  private urlList(rt: Runtime): ComponentUrl[] {
    return NATIVE_COMPONENTS.filter((c) => rt.skipped[c.name] === undefined).flatMap(
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
    for (const c of NATIVE_COMPONENTS) {
      const file = path.join(dir, `${c.name}.log`);
      if (existsSync(file)) files[c.name] = file;
    }
    return files;
  }

  async logs(options: LogsOptions): Promise<number> {
    const files = this.logFiles();
    if (options.service && !NATIVE_COMPONENTS.some((c) => c.name === options.service))
      throw new StackError(
        'USAGE',
        `no component ${options.service}; components: ${NATIVE_COMPONENTS.map((c) => c.name).join(', ')}`,
      );
    const chosen = Object.entries(files).filter(([name]) => !options.service || name === options.service);
    if (chosen.length === 0) {
      this.out.note(`no logs yet in ${logDir(this.settings.stateDir)}`);
      return options.service ? 1 : 0;
    }
    const prefix = (name: string) => (options.service ? '' : `${this.out.paint('info', name.padEnd(16))} | `);
    const write = (name: string, text: string) => {
      for (const line of text.split('\n')) if (line !== '') this.out.stdout.write(`${prefix(name)}${line}\n`);
    };
    const offsets = new Map<string, number>();
    for (const [name, file] of chosen) {
      write(name, tail(file, options.tail));
      offsets.set(name, statSync(file).size);
    }
    while (options.follow && !this.ctx.signal.aborted) {
      await sleep(300, this.ctx.signal);
      for (const [name, file] of chosen) {
        if (!existsSync(file)) continue;
        const size = statSync(file).size;
        let from = offsets.get(name) ?? 0;
        if (size < from) from = 0; // truncated (the mock Kafka's log at a restart)
        if (size === from) continue;
        const fd = openSync(file, 'r');
        const buffer = Buffer.alloc(size - from);
        readSync(fd, buffer, 0, buffer.length, from);
        closeSync(fd);
        offsets.set(name, size);
        write(name, buffer.toString('utf8'));
      }
    }
    return 0;
  }

  componentDir(name: string): string {
    return componentDir(this.settings, name);
  }
}
