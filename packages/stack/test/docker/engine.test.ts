import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { runStack } from '../../src/run';
import { Capture, REPO_ROOT } from '../support';

// The Docker path through dockerode against a stand-in Engine API on a unix socket, answering with
// the fixtures (GET /_ping, /containers/json, /containers/<id>/json, /containers/<id>/logs), and a
// stand-in `docker` on PATH that records the Compose command lines and answers `compose config`
// with CONFIG. No real engine runs here (packages/compose-test/src/checks/stack-cli.ts runs one).
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'docker');
const list = JSON.parse(readFileSync(path.join(FIXTURES, 'containers-json.json'), 'utf8')) as {
  Id: string;
  Names: string[];
}[];
const inspects = JSON.parse(readFileSync(path.join(FIXTURES, 'containers-inspect.json'), 'utf8')) as Record<
  string,
  unknown
>;

// `docker compose config --format json`, cut down to what the CLI reads: the fixture's services
// plus prometheus and redis, which have no container there.
const CONFIG = {
  name: 'reelwatch',
  services: {
    kafka: {},
    'kafka-init': { depends_on: { kafka: {} } },
    'postgres-primary': {},
    'postgres-replica': { depends_on: { 'postgres-primary': {} } },
    redis: {},
    ingestion: { depends_on: { 'kafka-init': {}, 'postgres-primary': {} } },
    'pg-exporter': { depends_on: { 'postgres-primary': {}, 'postgres-replica': {} } },
    'training-snapshot': { depends_on: { ingestion: {} } },
    prometheus: {},
    grafana: { depends_on: { prometheus: {} } },
  },
};

/** Docker's multiplexed log stream (no TTY): 8-byte header [stream, 0, 0, 0, size uint32 BE], payload. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('the Docker path against a stand-in engine', () => {
  let dir: string;
  let socket: string;
  let server: http.Server;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stack-engine-'));
    socket = path.join(dir, 'docker.sock');
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://engine');
      const route = url.pathname.replace(/^\/v[\d.]+/, '');
      requests.push(`${req.method} ${route}${url.search}`);
      const json = (body: unknown) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (route === '/_ping') return res.end('OK');
      if (route === '/containers/json') return json(list);
      const inspect = /^\/containers\/([0-9a-f]+)\/json$/.exec(route);
      if (inspect?.[1] && inspects[inspect[1]]) return json(inspects[inspect[1]]);
      const logs = /^\/containers\/([0-9a-f]+)\/logs$/.exec(route);
      if (logs?.[1]) {
        const name = list.find((c) => c.Id === logs[1])?.Names[0] ?? '?';
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
        return res.end(Buffer.concat([frame(1, `${name} started\n`), frame(2, `${name} warned\n`)]));
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `no such route ${route}` }));
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    // a `docker` that records its arguments (the Compose CLI does up and down) and prints CONFIG
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
    writeFileSync(
      path.join(dir, 'docker'),
      `#!/bin/sh\necho "$@" >> '${path.join(dir, 'docker-calls')}'\n` +
        `case "$*" in *" config --format json") cat '${path.join(dir, 'config.json')}';; esac\n`,
    );
    chmodSync(path.join(dir, 'docker'), 0o755);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runStack(argv, {
      stdout,
      stderr,
      root: REPO_ROOT,
      env: { PATH: `${dir}:${process.env.PATH}`, DOCKER_HOST: `unix://${socket}`, ...env },
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('status lists the Compose project’s services by label, and configured ones without a container, exit 1', async () => {
    requests.length = 0;
    const result = await run(['status', '--mode', 'docker', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      mode: string;
      components: { name: string; state: string }[];
      problems: string[];
    };
    expect(report.mode).toBe('docker');
    expect(report.components.map((c) => `${c.name}=${c.state}`)).toEqual([
      'grafana=unhealthy',
      'ingestion=starting',
      'kafka=healthy',
      'kafka-init=completed',
      'pg-exporter=failed',
      'postgres-primary=healthy',
      'postgres-replica=healthy',
      'prometheus=stopped',
      'redis=stopped',
      'training-snapshot=running',
    ]);
    expect(report.problems).toEqual([
      'grafana is unhealthy: 3 failed checks: /bin/sh: curl: not found',
      'ingestion is starting: 2/3 replicas fine; reelwatch-ingestion-3: starting',
      'pg-exporter is failed: exited with code 78',
      'prometheus is stopped: no container',
      'redis is stopped: no container',
    ]);
    const listCall = requests.find((r) => r.startsWith('GET /containers/json'));
    expect(decodeURIComponent(listCall ?? '')).toContain('"label":["com.docker.compose.project=reelwatch"]');
  });

  it('auto mode picks Docker when the engine answers a ping', async () => {
    const result = await run(['status', '--json']);
    expect((JSON.parse(result.stdout) as { mode: string }).mode).toBe('docker');
  });

  it('logs demultiplexes stdout and stderr of every container of a scaled service, prefixed by container', async () => {
    const result = await run(['logs', 'ingestion', '--mode', 'docker', '--no-color']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').sort();
    expect(lines).toHaveLength(6);
    expect(lines).toContain(`${'reelwatch-ingestion-3'.padEnd(28)} | /reelwatch-ingestion-3 warned`);
    expect(lines).toContain(`${'reelwatch-ingestion-1'.padEnd(28)} | /reelwatch-ingestion-1 started`);
  });

  const composeFile = path.join(REPO_ROOT, 'compose', 'docker-compose.yml');
  const lastCall = (match: string) =>
    readFileSync(path.join(dir, 'docker-calls'), 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l.includes(match))
      .at(-1);

  it('down runs docker compose down on the repo’s Compose file and env file, with --volumes when asked', async () => {
    const envFile = path.join(dir, 'test.env');
    writeFileSync(envFile, 'PROMETHEUS_PORT=19090\n');
    const result = await run(['down', '--volumes', '--mode', 'docker', '--env-file', envFile]);
    expect(result.code).toBe(0);
    expect(lastCall(' down ')).toBe(
      `compose -p reelwatch -f ${composeFile} --env-file ${envFile} down --remove-orphans --volumes`,
    );
  });

  it('works on the Compose project COMPOSE_PROJECT_NAME names, as Compose would', async () => {
    requests.length = 0;
    const result = await run(['status', '--mode', 'docker', '--json'], { COMPOSE_PROJECT_NAME: 'other' });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({
      running: false,
      notes: ['no container of the Compose project `other` (pnpm stack up starts it)'],
    });
    const listCall = requests.find((r) => r.startsWith('GET /containers/json'));
    expect(decodeURIComponent(listCall ?? '')).toContain('"label":["com.docker.compose.project=other"]');
  });

  it('up --without names the other services to Compose; status then shows the left-out ones as skipped', async () => {
    const stateDir = path.join(dir, 'state');
    const envFile = path.join(dir, 'up.env');
    writeFileSync(envFile, 'PROMETHEUS_PORT=19090\n');
    const common = ['--mode', 'docker', '--state-dir', stateDir, '--env-file', envFile];
    // the fixture's pg-exporter has failed: up stops waiting at once, exit 1
    const up = await run(['up', '--without', 'prometheus', '--timeout', '5', '--no-color', ...common]);
    expect(up.code).toBe(1);
    expect(up.stdout).toContain('leaving out prometheus, and what depends on them: grafana');
    expect(lastCall(' up ')).toBe(
      `compose -p reelwatch -f ${composeFile} --env-file ${envFile} up -d --build --remove-orphans ` +
        'kafka kafka-init postgres-primary postgres-replica redis ingestion pg-exporter training-snapshot',
    );
    const status = await run(['status', '--json', ...common]);
    const report = JSON.parse(status.stdout) as {
      components: { name: string; state: string; detail?: string }[];
      problems: string[];
      notes: string[];
    };
    const byName = Object.fromEntries(report.components.map((c) => [c.name, c.state]));
    // prometheus: left out, no container; grafana: left out but its container is there; redis: missing
    expect(byName).toMatchObject({ prometheus: 'skipped', grafana: 'unhealthy', redis: 'stopped' });
    expect(report.problems).toContain('redis is stopped: no container');
    expect(report.notes).toContain(
      'left out by pnpm stack up --without: prometheus, grafana (a plain up starts them)',
    );
    const urls = await run(['urls', '--json', ...common]);
    expect((JSON.parse(urls.stdout) as { urls: { name: string }[] }).urls.map((u) => u.name)).toEqual([
      'alertmanager',
      'pushgateway',
      'task-monitor',
    ]);
    await run(['down', ...common]);
    expect(existsSync(path.join(stateDir, 'docker-reelwatch.json'))).toBe(false);
  });

  it('up --without rejects a service the Compose file does not have, before starting anything', async () => {
    const envFile = path.join(dir, 'up.env');
    writeFileSync(envFile, 'PROMETHEUS_PORT=19090\n');
    const result = await run(['up', '--without', 'grafanna', '--mode', 'docker', '--env-file', envFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--without: no service grafanna in the active profiles/);
  });
});
