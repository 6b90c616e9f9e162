import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBinary, waitFor } from '@reelwatch/testkit';
import { Client } from 'pg';
import { BUILT_COMPONENTS, PORT_NAMES } from '../../src/components';
import { serviceEntry } from '../../src/components/support';
import { systemPostgresRoot } from '../../src/native/postgres-root';
import { groupAlive, isRunning, type ProcessRecord, stopGroup } from '../../src/native/processes';
import { portTaken } from '../../src/probes';
import { REPO_ROOT } from '../support';
import { freePortBase } from '../support-ports';

// The native stack end to end, through the built CLI as a user runs it: up, everything healthy,
// events in PostgreSQL and Prometheus, status 0, down without a trace, up again with the data.
// Its own state dir and a free block of ports: never the real defaults (a system PostgreSQL and
// Redis run on 5432 and 6379 here).
const CLI = path.join(REPO_ROOT, 'packages', 'stack', 'dist', 'main.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let stateParent: string;
let stateDir: string;
let base: number;
/** As root, PostgreSQL's data goes to /var/lib/reelwatch-stack/<hash>: the state dir's parent is 0700. */
const asRoot = process.getuid?.() === 0;
const pgRoot = () => (asRoot ? systemPostgresRoot(stateDir) : stateDir);

interface RunningCli {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

function startCli(args: string[]): RunningCli {
  const child = spawn(
    process.execPath,
    [CLI, ...args, '--mode', 'native', '--state-dir', stateDir, '--port-base', String(base)],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        REELWATCH_STACK_SCRAPE_INTERVAL: '1',
        PRODUCER_RATE: '100',
        // a short schedule, so the training-snapshot and the task traffic show up within seconds
        TRAINING_SNAPSHOT_INTERVAL_SECONDS: '2',
        REELWATCH_STACK_SNAPSHOT_DELAY: '0',
        TASK_TRAFFIC_INTERVAL_SECONDS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}

async function runCli(args: string[], timeoutMs = 240_000): Promise<CliResult> {
  const running = startCli(args);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  const code = await running.exited;
  clearTimeout(timer);
  return { code, ...running.output() };
}

function stateProcesses(): Record<string, ProcessRecord> {
  const file = path.join(stateDir, 'state.json');
  if (!existsSync(file)) return {};
  return (JSON.parse(readFileSync(file, 'utf8')) as { processes: Record<string, ProcessRecord> }).processes;
}

async function query<R>(port: number, sql: string): Promise<R[]> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'reelwatch' });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end();
  }
}

async function promQuery(expr: string): Promise<number | undefined> {
  const port = base + PORT_NAMES.indexOf('prometheus');
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  const value = body.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

const primaryPort = () => base + PORT_NAMES.indexOf('postgres-primary');
const replicaPort = () => base + PORT_NAMES.indexOf('postgres-replica');

describe('the native stack', () => {
  let pidsOfFirstRun: ProcessRecord[] = [];
  let usersBeforeDown = 0;
  let watchRowsBeforeDown = 0;

  beforeAll(async () => {
    if (!existsSync(CLI))
      throw new Error(`${CLI} is missing: run pnpm build first (the root test command does)`);
    for (const c of BUILT_COMPONENTS) {
      const entry = serviceEntry(REPO_ROOT, c.packageDir ?? '');
      if (!existsSync(entry))
        throw new Error(`${entry} is missing: run pnpm build first (the root test command does)`);
    }
    for (const [binary, pkg] of [
      ['postgres', 'postgresql'],
      ['kcat', 'kcat'],
      ['redis-server', 'redis-server'],
      ['prometheus', 'prometheus'],
      ['prometheus-alertmanager', 'prometheus-alertmanager'],
      ['prometheus-pushgateway', 'prometheus-pushgateway'],
    ] as const)
      findBinary(binary, pkg);
    // a state dir under a 0700 parent, like a clone under /root: as root the postgres user cannot
    // reach it, and up must still work without loosening the parent's permissions
    stateParent = mkdtempSync(path.join(os.tmpdir(), 'stack-native-'));
    expect(statSync(stateParent).mode & 0o777).toBe(0o700);
    stateDir = path.join(stateParent, 'reelwatch', '.stack');
    base = await freePortBase();
  });

  afterAll(async () => {
    if (!stateParent) return;
    // normally a no-op (the last test removed everything); after a failure it stops what is left
    await runCli(['down', '--volumes'], 120_000).catch(() => undefined);
    for (const record of Object.values(stateProcesses()))
      await stopGroup(record, { signal: 'SIGKILL', timeoutMs: 5_000 });
    rmSync(stateParent, { recursive: true, force: true });
    if (asRoot) rmSync(systemPostgresRoot(stateDir), { recursive: true, force: true });
  });

  it('up starts every component, waits until each is healthy and every Prometheus target is up, then prints the URLs', async () => {
    const result = await runCli(['up', '--no-install']);
    // on failure, show what up printed (which component, its log tail)
    expect(result.code === 0 ? 'exit 0' : `exit ${result.code}\n${result.stdout}\n${result.stderr}`).toBe(
      'exit 0',
    );
    expect(result.stdout).toMatch(/targets: healthy \((\d+)\/\1 Prometheus targets up\)/);
    expect(result.stdout).toMatch(
      new RegExp(`\\n  prometheus +http://127\\.0\\.0\\.1:${base + PORT_NAMES.indexOf('prometheus')} `),
    );
    expect(result.stdout).toMatch(/training-snapshot: healthy/);
    expect(result.stdout).toMatch(/task-traffic: healthy/);
    expect(result.stdout).toContain('embedded mock cluster: keeps nothing across restarts');
    if (asRoot) {
      expect(result.stdout).toContain(`PostgreSQL data: ${pgRoot()}`);
      expect(existsSync(path.join(pgRoot(), 'postgres-primary', 'data', 'PG_VERSION'))).toBe(true);
      expect(statSync(stateParent).mode & 0o777).toBe(0o700);
      const state = JSON.parse(readFileSync(path.join(stateDir, 'state.json'), 'utf8')) as {
        postgresRoot: string;
      };
      expect(state.postgresRoot).toBe(pgRoot());
    }
    pidsOfFirstRun = Object.values(stateProcesses());
    expect(pidsOfFirstRun.length).toBeGreaterThanOrEqual(12);
    expect(pidsOfFirstRun.every(isRunning)).toBe(true);
  });

  it('a second up while the stack runs says so and starts nothing', async () => {
    const result = await runCli(['up', '--no-install']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('the native stack is already running');
    expect(Object.values(stateProcesses())).toEqual(pidsOfFirstRun);
  });

  it('events reach PostgreSQL (primary and replica) and Prometheus', async () => {
    await waitFor(
      async () => {
        const [row] = await query<{ n: number }>(
          primaryPort(),
          'SELECT count(*)::int AS n FROM watch_progress',
        );
        return (row?.n ?? 0) > 0;
      },
      { timeoutMs: 60_000, what: 'watch_progress rows on the primary' },
    );
    await waitFor(
      async () => {
        const [row] = await query<{ n: number }>(
          replicaPort(),
          'SELECT count(*)::int AS n FROM watch_progress',
        );
        return (row?.n ?? 0) > 0;
      },
      { timeoutMs: 30_000, what: 'watch_progress rows on the replica' },
    );
    const applied = await waitFor(
      async () => {
        const value = await promQuery('sum(reelwatch_ingestion_events_total{outcome="applied"})');
        return value !== undefined && value > 0 ? value : undefined;
      },
      { timeoutMs: 60_000, what: 'reelwatch_ingestion_events_total in Prometheus' },
    );
    expect(applied).toBeGreaterThan(0);
    expect(await promQuery('sum(reelwatch_producer_events_total)')).toBeGreaterThan(0);
    expect(await promQuery('max(pg_up)')).toBe(1);
  });

  it('the training-snapshot loop writes CSV under the state dir and its run metrics reach Prometheus through Pushgateway', async () => {
    const lastSuccess = await waitFor(
      async () => {
        const value = await promQuery(
          'max(reelwatch_training_snapshot_last_success_timestamp_seconds{job="training_snapshot"})',
        );
        return value !== undefined && value > 0 ? value : undefined;
      },
      { timeoutMs: 60_000, what: 'reelwatch_training_snapshot_last_success_timestamp_seconds in Prometheus' },
    );
    expect(lastSuccess).toBeGreaterThan(Date.now() / 1000 - 300);
    expect(await promQuery('sum(reelwatch_training_snapshot_rows)')).toBeGreaterThan(0);
    const latest = path.join(stateDir, 'training-snapshot', 'snapshots', 'latest');
    expect(readdirSync(latest)).toEqual(expect.arrayContaining(['users.csv', 'watch_progress.csv']));
  });

  it('the task traffic reaches the task-monitor (flower_events_total in Prometheus)', async () => {
    const events = await waitFor(
      async () => {
        const value = await promQuery('sum(flower_events_total)');
        return value !== undefined && value > 0 ? value : undefined;
      },
      { timeoutMs: 30_000, what: 'flower_events_total > 0 in Prometheus' },
    );
    expect(events).toBeGreaterThan(0);
  });

  it('status exits 0 with every component healthy (Grafana skipped: not installed), targets up, lag and last batch', async () => {
    const result = await runCli(['status', '--json']);
    const report = JSON.parse(result.stdout) as {
      healthy: boolean;
      components: { name: string; state: string; detail?: string }[];
      prometheus: {
        targets: { job: string; health: string }[];
        consumerLag: number | null;
        lastBatchAgeSeconds: number | null;
      };
      problems: string[];
    };
    expect(report.problems).toEqual([]);
    expect(result.code).toBe(0);
    expect(report.healthy).toBe(true);
    const notHealthy = report.components.filter((c) => c.state !== 'healthy');
    expect(notHealthy).toEqual([expect.objectContaining({ name: 'grafana', state: 'skipped' })]);
    expect(report.components.find((c) => c.name === 'training-snapshot')).toEqual({
      name: 'training-snapshot',
      state: 'healthy',
      detail: expect.stringMatching(/^last snapshot: snapshot-\S+, every 2 s/),
      pid: expect.any(Number),
      restarts: 0,
    });
    expect(report.components.find((c) => c.name === 'task-traffic')).toEqual(
      expect.objectContaining({ state: 'healthy' }),
    );
    expect(report.prometheus.targets.map((t) => t.job).sort()).toEqual([
      'alertmanager',
      'event-producer',
      'ingestion',
      'kafka-exporter',
      'pg-exporter',
      'prometheus',
      'pushgateway',
      'task-monitor',
      'task-worker',
    ]);
    expect(report.prometheus.targets.every((t) => t.health === 'up')).toBe(true);
    expect(report.prometheus.consumerLag).toEqual(expect.any(Number));
    expect(report.prometheus.lastBatchAgeSeconds).toBeLessThan(30);
  });

  it('logs prints the last lines of one component', async () => {
    const result = await runCli(['logs', 'ingestion', '--tail', '50']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"service":"ingestion"');
  });

  it('a component killed with -9 comes back by itself, and status counts the restart', async () => {
    const before = JSON.parse((await runCli(['status', '--json'])).stdout) as {
      components: { name: string; pid?: number; restarts?: number }[];
    };
    const ingestion = before.components.find((c) => c.name === 'ingestion');
    if (!ingestion?.pid)
      throw new Error(`status --json gives no pid for ingestion: ${JSON.stringify(ingestion)}`);
    expect(ingestion.restarts ?? 0).toBe(0);
    process.kill(ingestion.pid, 'SIGKILL');
    let last: CliResult | undefined;
    await waitFor(
      async () => {
        last = await runCli(['status']);
        return last.code === 0 && /ingestion\s+healthy\s+restarts 1/.test(last.stdout);
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: `ingestion back and healthy (${last?.stdout ?? ''})` },
    );
    const batches = await promQuery('sum(reelwatch_ingestion_events_total)');
    await waitFor(
      async () => ((await promQuery('sum(reelwatch_ingestion_events_total)')) ?? 0) > (batches ?? 0),
      {
        timeoutMs: 30_000,
        what: 'the restarted ingestion to apply events',
      },
    );
    expect(readFileSync(path.join(stateDir, 'logs', 'ingestion.log'), 'utf8')).toMatch(
      /ingestion exited \(signal SIGKILL\) after [\d.]+ s; restart 1/,
    );
  });

  it('stop keeps one component stopped (not restarted) until start', async () => {
    const stopped = await runCli(['stop', 'postgres-replica']);
    expect(stopped.code).toBe(0);
    await new Promise((r) => setTimeout(r, 1_500)); // longer than the first restart delay
    const status = await runCli(['status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/problem: postgres-replica is stopped: stopped on request/);
    expect(await portTaken(replicaPort())).toBe(false);
    const started = await runCli(['start', 'postgres-replica']);
    expect(started.code).toBe(0);
    await waitFor(async () => (await runCli(['status'])).code === 0, {
      timeoutMs: 60_000,
      intervalMs: 1_000,
      what: 'the stack healthy again after start postgres-replica',
    });
    const kafka = await runCli(['stop', 'kafka']);
    expect(kafka.code).toBe(2);
    expect(kafka.stderr).toMatch(/kafka cannot be stopped and started on its own: the embedded mock cluster/);
  });

  it('status exits 1 and names the component when one of them dies', async () => {
    const record = stateProcesses()['task-monitor'];
    if (!record) throw new Error('task-monitor is not in the state file');
    process.kill(-record.pid, 'SIGKILL');
    await waitFor(() => !isRunning(record), { timeoutMs: 10_000, what: 'task-monitor to die' });
    const result = await runCli(['status']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/problem: task-monitor is stopped: process \d+ is gone/);
  });

  it('down stops every process it started and leaves no port, lock or state behind', async () => {
    const [users] = await query<{ n: number }>(primaryPort(), 'SELECT count(*)::int AS n FROM users');
    const [watch] = await query<{ n: number }>(
      primaryPort(),
      'SELECT count(*)::int AS n FROM watch_progress',
    );
    usersBeforeDown = users?.n ?? 0;
    watchRowsBeforeDown = watch?.n ?? 0;
    expect(usersBeforeDown).toBeGreaterThan(0);

    const result = await runCli(['down']);
    expect(result.code).toBe(0);
    expect(pidsOfFirstRun.filter(isRunning)).toEqual([]);
    expect(pidsOfFirstRun.filter((r) => groupAlive(r.pid)).map((r) => r.pid)).toEqual([]);
    const taken: number[] = [];
    for (let i = 0; i < PORT_NAMES.length; i++) if (await portTaken(base + i)) taken.push(base + i);
    expect(taken).toEqual([]);
    expect(existsSync(path.join(stateDir, 'lock'))).toBe(false);
    expect(existsSync(path.join(stateDir, 'state.json'))).toBe(false);
    const status = await runCli(['status']);
    expect(status.code).toBe(3);
  });

  it('up --attach again keeps the PostgreSQL data, and Ctrl-C stops every process it started', async () => {
    const attached = startCli(['up', '--attach', '--no-install']);
    let exited = false;
    void attached.exited.then(() => {
      exited = true;
    });
    try {
      await waitFor(() => exited || attached.output().stdout.includes('attached: Ctrl-C stops the stack'), {
        timeoutMs: 240_000,
        what: 'up --attach to report the stack healthy',
      });
      expect(attached.output().stdout).toContain('attached: Ctrl-C stops the stack');
      const [users] = await query<{ n: number }>(primaryPort(), 'SELECT count(*)::int AS n FROM users');
      const [watch] = await query<{ n: number }>(
        primaryPort(),
        'SELECT count(*)::int AS n FROM watch_progress',
      );
      expect(users?.n).toBeGreaterThanOrEqual(usersBeforeDown);
      expect(watch?.n).toBeGreaterThanOrEqual(watchRowsBeforeDown);
      const status = await runCli(['status']);
      expect(status.code).toBe(0);
      const pids = Object.values(stateProcesses());
      expect(pids.length).toBeGreaterThanOrEqual(12);

      expect(exited).toBe(false); // still in the foreground, holding the stack
      attached.child.kill('SIGINT');
      expect(await attached.exited).toBe(0);
      expect(pids.filter(isRunning)).toEqual([]);
      const taken: number[] = [];
      for (let i = 0; i < PORT_NAMES.length; i++) if (await portTaken(base + i)) taken.push(base + i);
      expect(taken).toEqual([]);
      expect(existsSync(path.join(stateDir, 'state.json'))).toBe(false);
    } finally {
      if (!exited) attached.child.kill('SIGKILL');
    }
  });

  it('Ctrl-C during up stops what it had started and exits 130', async () => {
    const starting = startCli(['up', '--no-install']);
    let exited = false;
    void starting.exited.then(() => {
      exited = true;
    });
    let pids: ProcessRecord[] = [];
    try {
      await waitFor(() => exited || starting.output().stdout.includes('redis: healthy'), {
        timeoutMs: 120_000,
        what: 'up to get redis healthy',
      });
      expect(exited).toBe(false);
      pids = Object.values(stateProcesses());
      expect(pids.length).toBeGreaterThanOrEqual(4);
      starting.child.kill('SIGINT');
      expect(await starting.exited).toBe(130);
      expect(starting.output().stdout).toContain('stopping what was started');
      expect(pids.filter(isRunning)).toEqual([]);
      expect(existsSync(path.join(stateDir, 'state.json'))).toBe(false);
      expect(existsSync(path.join(stateDir, 'lock'))).toBe(false);
    } finally {
      if (!exited) starting.child.kill('SIGKILL');
    }
  });

  it('down --volumes removes the data too', async () => {
    expect(existsSync(path.join(pgRoot(), 'postgres-primary', 'data', 'PG_VERSION'))).toBe(true);
    const result = await runCli(['down', '--volumes']);
    expect(result.code).toBe(0);
    expect(existsSync(stateDir)).toBe(false);
    expect(existsSync(pgRoot())).toBe(false);
  });
});
