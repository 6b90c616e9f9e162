import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import type { Backend, LogsOptions, UpOptions, UrlList } from '../backend';
import type { StackContext } from '../context';
import { createEnvFileFromExample, readEnvFile } from '../env-file';
import { StackError } from '../errors';
import { repoPaths } from '../paths';
import { Progress } from '../progress';
import { prometheusProblems, prometheusSummary } from '../prometheus-status';
import { componentProblems, type StatusReport, stateIsFine } from '../status-report';
import { containerState, projectContainers, summarizeServices } from './containers';

export const COMPOSE_PROJECT = 'reelwatch';

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

export async function dockerVersions(
  env: NodeJS.ProcessEnv,
): Promise<{ engine?: string; compose?: string; error?: string }> {
  const result: { engine?: string; compose?: string; error?: string } = {};
  try {
    if (!(await dockerReachable(env)))
      throw new Error('the Docker engine does not answer (is dockerd running? may you use its socket?)');
    result.engine = (await engine(env).version()).Version;
  } catch (error) {
    result.error = (error as Error).message;
  }
  const compose = spawnSync('docker', ['compose', 'version', '--short'], {
    encoding: 'utf8',
    env,
    timeout: 10_000,
  });
  if (compose.status === 0) result.compose = compose.stdout.trim();
  return result;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

export class DockerBackend implements Backend {
  readonly kind = 'docker' as const;
  private readonly docker: Docker;
  private readonly paths;

  constructor(private readonly ctx: StackContext) {
    this.docker = engine(ctx.env);
    this.paths = repoPaths(ctx.root);
  }

  private compose(args: string[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn('docker', ['compose', '-f', this.paths.composeFile, ...args], {
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

  private env(): Record<string, string> {
    return readEnvFile(this.paths.composeEnv) ?? {};
  }

  private port(key: string, fallback: number): number {
    return Number(this.env()[key] || fallback);
  }

  private async containerStatuses() {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${COMPOSE_PROJECT}`] },
    });
    const containers = projectContainers(list, COMPOSE_PROJECT);
    return Promise.all(
      containers.map(async (c) => ({
        ...c,
        ...containerState(await this.docker.getContainer(c.id).inspect()),
      })),
    );
  }

  async up(options: UpOptions): Promise<number> {
    if (!existsSync(this.paths.composeEnv)) {
      createEnvFileFromExample(this.paths.composeEnv, this.paths.composeEnvExample);
      this.ctx.out.note(
        'created compose/.env from compose/.env.example with random passwords (keep it; the volumes remember them)',
      );
    }
    const code = await this.compose(['up', '-d', '--build', '--remove-orphans']);
    if (code !== 0) throw new StackError('DOCKER_FAILED', `docker compose up exited with code ${code}`);
    const progress = new Progress(this.ctx.out);
    const deadline = Date.now() + options.timeoutSec * 1000;
    for (;;) {
      const services = summarizeServices(await this.containerStatuses());
      for (const s of services) progress.set(s.name, s.state, s.detail ?? '');
      if (services.length > 0 && services.every((s) => stateIsFine(s.state))) break;
      if (services.some((s) => s.state === 'failed'))
        throw new StackError('NOT_HEALTHY', componentProblems(services).join('; '));
      if (Date.now() > deadline || this.ctx.signal.aborted)
        throw new StackError('NOT_HEALTHY', `not healthy in time: ${componentProblems(services).join('; ')}`);
      await sleep(2_000, this.ctx.signal);
    }
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

  async down(options: { volumes: boolean }): Promise<number> {
    const code = await this.compose(['down', '--remove-orphans', ...(options.volumes ? ['--volumes'] : [])]);
    if (code !== 0) throw new StackError('DOCKER_FAILED', `docker compose down exited with code ${code}`);
    return 0;
  }

  async status(): Promise<StatusReport> {
    const containers = await this.containerStatuses();
    const components = summarizeServices(containers);
    const report: StatusReport = {
      mode: 'docker',
      running: containers.length > 0,
      healthy: false,
      components,
      prometheus: null,
      problems: [],
      notes: [],
    };
    if (!report.running) {
      report.problems.push('not running');
      report.notes.push('no container of the Compose project `reelwatch` (pnpm stack up starts it)');
      return report;
    }
    if (components.some((c) => c.name === 'prometheus'))
      report.prometheus = await prometheusSummary(`http://127.0.0.1:${this.port('PROMETHEUS_PORT', 9090)}`);
    report.problems = [
      ...componentProblems(components),
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
    const p = (key: string, fallback: number) => Number(env[key] || fallback);
    const user = env.GRAFANA_ADMIN_USER || 'admin';
    return {
      running: true,
      urls: [
        {
          name: 'grafana',
          url: `http://127.0.0.1:${p('GRAFANA_PORT', 3000)}`,
          note: `log in as ${user}, password GRAFANA_ADMIN_PASSWORD in compose/.env`,
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
          note: 'basic auth: TASK_MONITOR_BASIC_AUTH in compose/.env',
        },
      ],
      notes: [
        "the services' /metrics are inside the Compose network: Prometheus scrapes them (see its /targets), or docker compose exec <service> wget -qO- 127.0.0.1:<port>/metrics",
      ],
    };
  }
}
