import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import type { Backend, LogsOptions, UpOptions, UrlList } from '../backend';
import type { StackContext } from '../context';
import { createEnvFileFromExample, readEnvFile } from '../env-file';
import { StackError } from '../errors';
import { repoPaths } from '../paths';
import { Progress } from '../progress';
import { prometheusProblems, prometheusSummary } from '../prometheus-status';
import { sleep } from '../sleep';
import { componentProblems, type StatusReport, stateIsFine } from '../status-report';
import { containerState, projectContainers, summarizeServices } from './containers';
import {
  type ConfiguredService,
  composeProjectName,
  planServices,
  readDockerRecord,
  removeDockerRecord,
  writeDockerRecord,
} from './project';

/** `compose/.env` for a file in the repository, else the absolute path (for messages). */
export function displayPath(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function engine(env: NodeJS.ProcessEnv): Docker {
  // dockerode reads DOCKER_HOST itself only from process.env: pass it on from the context's env
  const host = env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  if (host?.startsWith('tcp://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    return new Docker({ host: u.hostname, port: Number(u.port || 2375) });
  }
  return new Docker({ socketPath: '/var/run/docker.sock' });
}

/** The engine answers a ping within `timeoutMs`. */
export async function dockerReachable(env: NodeJS.ProcessEnv, timeoutMs = 2_000): Promise<boolean> {
  try {
    await Promise.race([
      engine(env).ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

export interface DockerVersions {
  /** The engine's own version (GET /version: Version), e.g. 20.10.24+dfsg1 for Debian's. */
  engine?: string;
  /** The Engine API version the engine speaks, e.g. 1.41. */
  api?: string;
  /** `docker compose version --short`, e.g. 2.26.1 (Debian's package: 2.26.1-4). */
  compose?: string;
  error?: string;
}

export async function dockerVersions(env: NodeJS.ProcessEnv): Promise<DockerVersions> {
  const result: DockerVersions = {};
  try {
    if (!(await dockerReachable(env)))
      throw new Error('the Docker engine does not answer (is dockerd running? may you use its socket?)');
    const version = await engine(env).version();
    result.engine = version.Version;
    result.api = version.ApiVersion;
  } catch (error) {
    result.error = (error as Error).message;
  }
  const compose = spawnSync('docker', ['compose', 'version', '--short'], {
    encoding: 'utf8',
    env,
    timeout: 10_000,
  });
  // older Compose v2 releases print a leading v (v2.0.1)
  if (compose.status === 0) result.compose = compose.stdout.trim().replace(/^v/, '');
  return result;
}

/** Running containers of the Compose project `project` (doctor: their published ports are their own). */
export async function runningProjectContainers(env: NodeJS.ProcessEnv, project: string): Promise<number> {
  const list = await engine(env).listContainers({
    filters: { label: [`com.docker.compose.project=${project}`], status: ['running'] },
  });
  return projectContainers(list, project).length;
}

export class DockerBackend implements Backend {
  readonly kind = 'docker' as const;
  /** The Compose project: COMPOSE_PROJECT_NAME (environment, then env file), else reelwatch. */
  readonly project: string;
  private readonly docker: Docker;
  private readonly paths;

  constructor(private readonly ctx: StackContext) {
    this.docker = engine(ctx.env);
    this.paths = repoPaths(ctx.root);
    this.project = composeProjectName(ctx.env, this.env());
  }

  private get envName(): string {
    return displayPath(this.ctx.root, this.ctx.envFile);
  }

  private composeArgs(args: string[]): string[] {
    // --env-file whenever it exists, or when it is not the default: Compose would otherwise fall
    // back to compose/.env, which may be another stack's
    const envFile =
      existsSync(this.ctx.envFile) || this.ctx.envFile !== this.paths.composeEnv
        ? ['--env-file', this.ctx.envFile]
        : [];
    return ['compose', '-p', this.project, '-f', this.paths.composeFile, ...envFile, ...args];
  }

  private compose(args: string[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn('docker', this.composeArgs(args), {
        cwd: this.ctx.root,
        env: this.ctx.env,
        // under --json, Compose's own output goes to stderr: stdout stays one JSON document
        stdio: ['ignore', this.ctx.out.json ? 2 : 'inherit', 'inherit'],
      });
      child.once('error', (error) =>
        reject(new StackError('DOCKER_FAILED', `docker compose: ${error.message}`, { cause: error })),
      );
      child.once('exit', (code) => resolve(code ?? 1));
    });
  }

  /**
   * The services of the active profiles, as Compose resolves the file with this env file
   * (`docker compose config --format json`); throws DOCKER_FAILED with Compose's message.
   */
  private configuredServices(): Record<string, ConfiguredService> {
    const result = spawnSync('docker', this.composeArgs(['config', '--format', 'json']), {
      cwd: this.ctx.root,
      env: this.ctx.env,
      encoding: 'utf8',
      timeout: 30_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0)
      throw new StackError(
        'DOCKER_FAILED',
        `docker compose config failed: ${(result.error?.message ?? result.stderr ?? '').trim() || `exit ${result.status}`}`,
      );
    try {
      return (JSON.parse(result.stdout) as { services?: Record<string, ConfiguredService> }).services ?? {};
    } catch (error) {
      throw new StackError(
        'DOCKER_FAILED',
        `docker compose config printed no JSON: ${(error as Error).message}`,
      );
    }
  }

  /** What the stack should run: every configured service but those `up --without` left out. */
  private expectedServices(): { expected: string[]; leftOut: string[]; error?: string } {
    const leftOut = readDockerRecord(this.ctx.stateDir, this.project)?.leftOut ?? [];
    try {
      const expected = Object.keys(this.configuredServices()).filter((s) => !leftOut.includes(s));
      return { expected, leftOut };
    } catch (error) {
      return { expected: [], leftOut, error: (error as Error).message };
    }
  }

  private env(): Record<string, string> {
    return readEnvFile(this.ctx.envFile) ?? {};
  }

  /** A published port as Compose interpolates it: the environment wins over the env file. */
  private port(key: string, fallback: number, env = this.env()): number {
    return Number(this.ctx.env[key] || env[key] || fallback);
  }

  private async containerStatuses() {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${this.project}`] },
    });
    const containers = projectContainers(list, this.project);
    const statuses = await Promise.all(
      containers.map(async (c) => {
        try {
          return { ...c, ...containerState(await this.docker.getContainer(c.id).inspect()) };
        } catch (error) {
          // removed between the list and the inspect (a `down` or a replica scaled away)
          if ((error as { statusCode?: number }).statusCode === 404) return undefined;
          throw error;
        }
      }),
    );
    return statuses.filter((s) => s !== undefined);
  }

  async up(options: UpOptions): Promise<number> {
    if (!existsSync(this.ctx.envFile)) {
      createEnvFileFromExample(this.ctx.envFile, this.paths.composeEnvExample);
      this.ctx.out.note(
        `created ${this.envName} from compose/.env.example with random passwords (keep it; the volumes remember them)`,
      );
    }
    const plan = planServices(this.configuredServices(), options.without);
    if (plan.start.length === 0)
      throw new StackError('USAGE', `--without ${options.without.join(',')} leaves no service to start`);
    if (plan.leftOut.length > 0)
      this.ctx.out.note(
        `leaving out ${options.without.join(', ')}` +
          (plan.dependents.length > 0 ? `, and what depends on them: ${plan.dependents.join(', ')}` : ''),
      );
    writeDockerRecord(this.ctx.stateDir, { project: this.project, leftOut: plan.leftOut });
    // a plain `up` names no service, as a user's `docker compose up` does
    const code = await this.compose([
      'up',
      '-d',
      '--build',
      '--remove-orphans',
      ...(plan.leftOut.length > 0 ? plan.start : []),
    ]);
    if (code !== 0) throw new StackError('DOCKER_FAILED', `docker compose up exited with code ${code}`);
    const progress = new Progress(this.ctx.out);
    const deadline = Date.now() + options.timeoutSec * 1000;
    for (;;) {
      const services = summarizeServices(await this.containerStatuses(), plan.start, plan.leftOut);
      for (const s of services) progress.set(s.name, s.state, s.detail ?? '');
      if (services.length > 0 && services.every((s) => stateIsFine(s.state))) break;
      if (services.some((s) => s.state === 'failed'))
        throw new StackError('NOT_HEALTHY', componentProblems(services).join('; '));
      if (Date.now() > deadline || this.ctx.signal.aborted)
        throw new StackError('NOT_HEALTHY', `not healthy in time: ${componentProblems(services).join('; ')}`);
      await sleep(2_000, this.ctx.signal);
    }
    // Prometheus only runs with the monitoring profile (and not when left out)
    if (plan.start.includes('prometheus')) {
      const prometheus = `http://127.0.0.1:${this.port('PROMETHEUS_PORT', 9090)}`;
      for (;;) {
        const summary = await prometheusSummary(prometheus);
        const up = summary.targets.filter((t) => t.health === 'up').length;
        progress.set(
          'targets',
          up === summary.targets.length && up > 0 ? 'healthy' : 'waiting',
          `${up}/${summary.targets.length} Prometheus targets up`,
        );
        if (summary.reachable && up > 0 && up === summary.targets.length) break;
        if (Date.now() > deadline || this.ctx.signal.aborted)
          throw new StackError('NOT_HEALTHY', prometheusProblems(summary).join('; '));
        await sleep(2_000, this.ctx.signal);
      }
    }
    progress.done();
    const { urls, notes } = this.urls();
    const out = this.ctx.out;
    out.line();
    out.table(urls.map((u) => [out.paint('bold', u.name), u.url, out.paint('dim', u.note ?? '')]));
    for (const note of notes) out.line(`${out.paint('info', 'note:')} ${note}`);
    if (options.attach) {
      out.note('attached: Ctrl-C stops the stack');
      // the timer keeps the event loop (and so this process) alive until Ctrl-C
      const keepAlive = setInterval(() => {}, 60_000);
      await new Promise<void>((resolve) => {
        if (this.ctx.signal.aborted) resolve();
        this.ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      clearInterval(keepAlive);
      return this.down({ volumes: false });
    }
    return 0;
  }

  stopOne(name: string): Promise<number> {
    return this.compose(['stop', name]);
  }

  startOne(name: string): Promise<number> {
    return this.compose(['start', name]);
  }

  async down(options: { volumes: boolean }): Promise<number> {
    const code = await this.compose(['down', '--remove-orphans', ...(options.volumes ? ['--volumes'] : [])]);
    if (code !== 0) throw new StackError('DOCKER_FAILED', `docker compose down exited with code ${code}`);
    removeDockerRecord(this.ctx.stateDir, this.project);
    return 0;
  }

  async status(): Promise<StatusReport> {
    const containers = await this.containerStatuses();
    const report: StatusReport = {
      mode: 'docker',
      running: containers.length > 0,
      healthy: false,
      components: [],
      prometheus: null,
      problems: [],
      notes: [],
    };
    if (!report.running) {
      report.problems.push('not running');
      report.notes.push(`no container of the Compose project \`${this.project}\` (pnpm stack up starts it)`);
      return report;
    }
    const { expected, leftOut, error } = this.expectedServices();
    report.components = summarizeServices(containers, expected, leftOut);
    if (error) report.notes.push(`services without a container are not listed: ${error}`);
    if (leftOut.length > 0)
      report.notes.push(
        `left out by pnpm stack up --without: ${leftOut.join(', ')} (a plain up starts them)`,
      );
    if (containers.some((c) => c.service === 'prometheus'))
      report.prometheus = await prometheusSummary(`http://127.0.0.1:${this.port('PROMETHEUS_PORT', 9090)}`);
    report.problems = [
      ...componentProblems(report.components),
      ...(report.prometheus ? prometheusProblems(report.prometheus) : []),
    ];
    report.healthy = report.problems.length === 0;
    return report;
  }

  async logs(options: LogsOptions): Promise<number> {
    const containers = (await this.containerStatuses()).filter(
      (c) => !options.service || c.service === options.service,
    );
    if (containers.length === 0)
      throw new StackError('USAGE', `no container${options.service ? ` for ${options.service}` : ''}`);
    await Promise.all(
      containers.map(async (c) => {
        const prefix = containers.length > 1 ? `${this.ctx.out.paint('info', c.name.padEnd(28))} | ` : '';
        const sink = new PassThrough();
        let rest = '';
        sink.on('data', (chunk: Buffer) => {
          const lines = (rest + chunk.toString('utf8')).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) this.ctx.out.stdout.write(`${prefix}${line}\n`);
        });
        const container = this.docker.getContainer(c.id);
        const opts = { stdout: true, stderr: true, tail: options.tail, timestamps: false };
        if (options.follow) {
          const stream = await container.logs({ ...opts, follow: true });
          this.ctx.signal.addEventListener(
            'abort',
            () => (stream as unknown as { destroy(): void }).destroy(),
            { once: true },
          );
          // multiplexed stdout/stderr frames (no TTY): demuxed by docker-modem
          this.docker.modem.demuxStream(stream, sink, sink);
          await new Promise<void>((resolve) => {
            stream.on('end', resolve);
            stream.on('close', resolve);
            stream.on('error', () => resolve());
          });
        } else {
          const buffer = await container.logs({ ...opts, follow: false });
          const demux = new PassThrough();
          this.docker.modem.demuxStream(demux, sink, sink);
          demux.end(buffer);
          await new Promise((r) => setImmediate(r));
        }
        if (rest) this.ctx.out.stdout.write(`${prefix}${rest}\n`);
      }),
    );
    return 0;
  }

  urls(): UrlList {
    const env = this.env();
    const p = (key: string, fallback: number) => this.port(key, fallback, env);
    const user = env.GRAFANA_ADMIN_USER || 'admin';
    const leftOut = readDockerRecord(this.ctx.stateDir, this.project)?.leftOut ?? [];
    const urls = [
      {
        name: 'grafana',
        url: `http://127.0.0.1:${p('GRAFANA_PORT', 3000)}`,
        note: `log in as ${user}, password GRAFANA_ADMIN_PASSWORD in ${this.envName}`,
      },
      {
        name: 'prometheus',
        url: `http://127.0.0.1:${p('PROMETHEUS_PORT', 9090)}`,
        note: 'targets: /targets, alerts: /alerts',
      },
      { name: 'alertmanager', url: `http://127.0.0.1:${p('ALERTMANAGER_PORT', 9093)}` },
      { name: 'pushgateway', url: `http://127.0.0.1:${p('PUSHGATEWAY_PORT', 9091)}` },
      {
        name: 'task-monitor',
        url: `http://127.0.0.1:${p('TASK_MONITOR_PORT', 5555)}`,
        note: `basic auth: TASK_MONITOR_BASIC_AUTH in ${this.envName}`,
      },
    ];
    return {
      running: true,
      urls: urls.filter((u) => !leftOut.includes(u.name)),
      notes: [
        "the services' /metrics are inside the Compose network: Prometheus scrapes them (see its /targets), or docker compose exec <service> wget -qO- 127.0.0.1:<port>/metrics",
        ...(leftOut.length > 0 ? [`left out by pnpm stack up --without: ${leftOut.join(', ')}`] : []),
      ],
    };
  }
}
