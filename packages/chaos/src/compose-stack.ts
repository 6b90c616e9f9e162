import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APP_DATABASE, readEnvFile } from '@reelwatch/stack';
import Docker from 'dockerode';
import type pg from 'pg';
import YAML from 'yaml';
import { type CliResult, descendants, REPO_ROOT, rssMb, run, type StackHandle } from './stack-handle';
import { scaleAlertmanagerConfig, scaleRuleFile } from './time-scale';

export const COMPOSE_FILE = path.join(REPO_ROOT, 'compose', 'docker-compose.yml');

/** kcat for the accounting, on the project's network (the broker advertises kafka:9092 there only). */
const KCAT_IMAGE = 'reelwatch/chaos-kcat:bookworm';
const KCAT_DOCKERFILE = `FROM debian:bookworm-slim
RUN set -eu; apt-get update; apt-get install -y --no-install-recommends kcat; rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["kcat"]
`;

/** Published HTTP ports the run talks to: the env file's variable and the container port. */
const PUBLISHED: Record<string, { variable: string; port: number }> = {
  prometheus: { variable: 'PROMETHEUS_PORT', port: 9090 },
  alertmanager: { variable: 'ALERTMANAGER_PORT', port: 9093 },
  'task-monitor': { variable: 'TASK_MONITOR_PORT', port: 5555 },
};

/** What a scaled run recreates: the rules' and timers' readers, and the exporters' deadlines. */
const SCALED = ['prometheus', 'alertmanager', 'pg-exporter', 'kafka-exporter'];

/** Process names of an init (docker-init/tini) or a wrapper shell: the service is their child. */
const WRAPPERS = new Set(['docker-init', 'tini', 'sh', 'bash', 'dumb-init']);

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * A Compose project of compose/docker-compose.yml as the fault run sees it, from this machine:
 * each service's container through the Docker API (its host process ids, environment, address),
 * `docker compose stop/start` for what a user types, the env file for passwords and ports.
 * Containers run on this machine's kernel, so a fault signals their processes as natively.
 */
export class ComposeStack implements StackHandle {
  readonly mode = 'compose';
  private readonly docker = new Docker();
  private readonly settings: Record<string, string>;
  private containers = new Map<string, string>();
  private scaledDir: string | undefined;

  constructor(
    readonly project: string,
    readonly envFile: string,
  ) {
    const env = readEnvFile(envFile);
    if (!env)
      throw new Error(`no env file at ${envFile}: pass the one the project was started with (--env-file)`);
    this.settings = env;
  }

  /** Finds the project's containers; call before anything else. */
  async open(): Promise<this> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${this.project}`] },
    });
    this.containers = new Map(
      list
        .filter((c) => (c.Labels['com.docker.compose.container-number'] ?? '1') === '1')
        .map((c) => [c.Labels['com.docker.compose.service'] ?? '', c.Id]),
    );
    if (this.containers.size === 0)
      throw new Error(
        `no containers of Compose project ${this.project}: start it with docker compose up, or pass --project`,
      );
    return this;
  }

  /** `docker compose` on this project; `overrides` are Compose files merged over the shipped one. */
  compose(args: string[], timeoutMs = 300_000, overrides: string[] = []): Promise<CliResult> {
    const files = [COMPOSE_FILE, ...overrides].flatMap((f) => ['-f', f]);
    return run('docker', ['compose', '-p', this.project, ...files, '--env-file', this.envFile, ...args], {
      timeoutMs,
    });
  }

  private container(name: string): Docker.Container {
    const id = this.containers.get(name);
    if (!id) throw new Error(`the Compose project ${this.project} has no ${name} container`);
    return this.docker.getContainer(id);
  }

  has(name: string): boolean {
    return this.containers.has(name);
  }

  url(name: string, suffix = ''): string {
    const published = PUBLISHED[name];
    if (!published) throw new Error(`${name} publishes no port the run uses`);
    const port = this.settings[published.variable] ?? String(published.port);
    const host =
      !this.settings.BIND_ADDRESS || this.settings.BIND_ADDRESS === '0.0.0.0'
        ? '127.0.0.1'
        : this.settings.BIND_ADDRESS;
    return `http://${host}:${port}${suffix}`;
  }

  /** The container's first process (0 when it does not run). */
  private async root(name: string): Promise<number | undefined> {
    const info = await this.container(name).inspect();
    return info.State.Running && info.State.Pid > 0 ? info.State.Pid : undefined;
  }

  async pid(name: string): Promise<number | undefined> {
    let pid = await this.root(name);
    // docker-init (init: true) or a wrapper shell: the service is its only child
    while (pid !== undefined && WRAPPERS.has(comm(pid))) {
      const children = descendants(pid).filter((p) => comm(p) !== '');
      if (children.length === 0) break;
      pid = children[0];
    }
    return pid;
  }

  async processes(name: string): Promise<number[]> {
    const root = await this.root(name);
    return root === undefined ? [] : [root, ...descendants(root)];
  }

  /** The container's processes together (PostgreSQL's backends included), on its main process. */
  async rss(name: string): Promise<{ pid: number; mb: number } | undefined> {
    const pid = await this.pid(name);
    if (pid === undefined) return undefined;
    const mb = (await this.processes(name)).reduce((sum, p) => sum + (rssMb(p) ?? 0), 0);
    return { pid, mb };
  }

  async stop(name: string): Promise<void> {
    const r = await this.compose(['stop', name]);
    if (r.code !== 0) throw new Error(`docker compose stop ${name} failed: ${r.stderr || r.stdout}`);
  }

  async start(name: string): Promise<void> {
    const r = await this.compose(['start', name]);
    if (r.code !== 0) throw new Error(`docker compose start ${name} failed: ${r.stderr || r.stdout}`);
  }

  async env(name: string): Promise<Record<string, string>> {
    const info = await this.container(name).inspect();
    return Object.fromEntries(
      (info.Config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
  }

  private async network(name: string): Promise<{ network: string; address: string }> {
    const info = await this.container(name).inspect();
    const [network, settings] = Object.entries(info.NetworkSettings.Networks)[0] ?? [];
    if (!network || !settings?.IPAddress) throw new Error(`${name} has no address on the project's network`);
    return { network, address: settings.IPAddress };
  }

  async database(name: string): Promise<pg.ClientConfig> {
    const password = this.settings.POSTGRES_PASSWORD;
    if (!password) throw new Error(`${this.envFile} sets no POSTGRES_PASSWORD`);
    // this machine reaches the containers' bridge network directly; nothing is published for it
    const { address } = await this.network(name);
    return { host: address, port: 5432, user: 'postgres', password, database: APP_DATABASE };
  }

  pgServer(name: string): string {
    return `${name}:5432/${APP_DATABASE}`;
  }

  async kcat(): Promise<{ command: string[]; brokers: string }> {
    const { network } = await this.network('kafka');
    const present = await this.docker
      .getImage(KCAT_IMAGE)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (!present) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-kcat-'));
      try {
        writeFileSync(path.join(dir, 'Dockerfile'), KCAT_DOCKERFILE);
        const built = await run('docker', ['build', '-q', '-t', KCAT_IMAGE, dir], { timeoutMs: 600_000 });
        if (built.code !== 0) throw new Error(`building ${KCAT_IMAGE} failed: ${built.stderr.trim()}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const brokers = (await this.env('ingestion')).KAFKA_BROKERS ?? 'kafka:9092';
    return { command: ['docker', 'run', '--rm', '--network', network, KCAT_IMAGE], brokers };
  }

  async alertSinkLog(): Promise<string> {
    const r = await this.compose(['logs', '--no-color', '--no-log-prefix', 'alert-sink'], 60_000);
    // Compose still writes a terminal's erase-line code before each line
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is the point
    return r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  }

  /**
   * Prometheus and Alertmanager read their configuration from the repository, read-only, so a
   * scaled run recreates both with a scaled copy mounted over it (a Compose override file), and
   * the run's end recreates them as shipped. Scale 1 on a stack never scaled changes nothing.
   */
  async applyTimeScale(factor: number): Promise<number> {
    const interval = (text: string) => Number(/scrape_interval:\s*(\d+)s/.exec(text)?.[1] ?? 15);
    const shipped = readFileSync(path.join(REPO_ROOT, 'prometheus', 'prometheus.yml'), 'utf8');
    if (factor === 1) {
      if (!this.scaledDir) return interval(shipped);
      await this.recreate([]);
      rmSync(this.scaledDir, { recursive: true, force: true });
      this.scaledDir = undefined;
      return interval(shipped);
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-compose-'));
    const prom = path.join(dir, 'prometheus');
    mkdirSync(path.join(prom, 'rules'), { recursive: true });
    const config = YAML.parse(shipped) as {
      global: Record<string, unknown>;
      scrape_configs: Record<string, unknown>[];
    };
    const scrape = Math.max(1, Math.floor(interval(shipped) / factor));
    config.global.scrape_interval = `${scrape}s`;
    config.global.evaluation_interval = `${scrape}s`;
    for (const job of config.scrape_configs) {
      delete job.scrape_interval;
      delete job.scrape_timeout;
    }
    writeFileSync(path.join(prom, 'prometheus.yml'), YAML.stringify(config));
    const rules = path.join(REPO_ROOT, 'prometheus', 'rules');
    for (const file of readdirSync(rules).filter((f) => f.endsWith('.yml')))
      writeFileSync(
        path.join(prom, 'rules', file),
        scaleRuleFile(readFileSync(path.join(rules, file), 'utf8'), factor),
      );
    const am = path.join(dir, 'alertmanager');
    mkdirSync(am);
    for (const file of readdirSync(path.join(REPO_ROOT, 'compose', 'alertmanager'))) {
      const text = readFileSync(path.join(REPO_ROOT, 'compose', 'alertmanager', file), 'utf8');
      writeFileSync(
        path.join(am, file),
        file === 'alertmanager.yml' ? scaleAlertmanagerConfig(text, factor) : text,
      );
    }
    // the exporters answer within the shorter scrape timeout, as the native stack sets them
    // (a hung database must show as pg_up 0, not as a scrape that timed out)
    const deadline = `${Math.min(9_000, scrape * 600)}ms`;
    const override = path.join(dir, 'scaled.yml');
    writeFileSync(
      override,
      YAML.stringify({
        services: {
          prometheus: { volumes: [`${prom}:/etc/prometheus:ro`] },
          alertmanager: { volumes: [`${am}:/etc/alertmanager:ro`] },
          'pg-exporter': { environment: { PG_EXPORTER_COLLECTION_TIMEOUT: deadline } },
          'kafka-exporter': { environment: { KAFKA_EXPORTER_COLLECTION_TIMEOUT: deadline } },
        },
      }),
    );
    this.scaledDir = dir;
    await this.recreate([override]);
    return scrape;
  }

  /** Recreates what the time scale changes (data volumes kept) and waits until it is healthy. */
  private async recreate(overrides: string[]): Promise<void> {
    const r = await this.compose(
      ['up', '-d', '--no-deps', '--wait', '--wait-timeout', '180', ...SCALED],
      300_000,
      overrides,
    );
    if (r.code !== 0)
      throw new Error(`recreating prometheus and alertmanager failed: ${r.stderr || r.stdout}`);
    await this.open(); // new containers
  }

  async componentsFine(): Promise<{ fine: boolean; problems: string[] }> {
    const problems: string[] = [];
    for (const [name] of this.containers) {
      const info = await this.container(name).inspect();
      const oneShot = info.HostConfig.RestartPolicy?.Name === 'no';
      if (oneShot) {
        if (info.State.Status === 'exited' && info.State.ExitCode !== 0)
          problems.push(`${name} exited ${info.State.ExitCode}`);
        continue;
      }
      const health = info.State.Health?.Status;
      if (!info.State.Running) problems.push(`${name} ${info.State.Status}`);
      else if (health !== undefined && health !== 'healthy') problems.push(`${name} ${health}`);
    }
    return { fine: problems.length === 0, problems };
  }

  taskMonitorHeaders(): Record<string, string> {
    const auth = this.settings.TASK_MONITOR_BASIC_AUTH;
    return auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {};
  }
}
