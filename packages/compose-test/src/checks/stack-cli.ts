import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, writeEnvFile } from '../compose-project';
import { type RunResult, run, runUnchecked } from '../run';
import { leftovers } from './teardown';

const STACK_BIN = path.join(REPO_ROOT, 'packages/stack/bin/stack.js');

export interface StackCliOptions {
  /** Compose services that cannot start here (grafana): `pnpm stack up --without` them. */
  without: string[];
  /** Values for the env file beyond .env.example's (passwords are random, ports free). */
  envOverrides?: Record<string, string>;
  /** Seconds `up` may wait for health (its --timeout). */
  timeoutSec?: number;
  log?: (line: string) => void;
}

interface StatusDocument {
  mode: string;
  running: boolean;
  healthy: boolean;
  components: { name: string; state: string; detail?: string }[];
  problems: string[];
}

interface DoctorDocument {
  ok: boolean;
  findings: { check: string; severity: string; message: string }[];
}

const seconds = (ms: number) => Math.round(ms / 1000);

function tail(result: RunResult, lines = 20): string {
  return `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-lines).join('\n');
}

function parse<T>(what: string, result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`${what} printed no JSON document (exit ${result.code}):\n${tail(result)}`);
  }
}

type Stack = (args: string[], timeoutMs?: number) => Promise<RunResult>;
type Log = (line: string) => void;

/** up, in auto mode: --json says which mode it picked (Compose's output goes to stderr). */
async function stackUp(stack: Stack, options: StackCliOptions, log: Log): Promise<number> {
  const without = options.without.flatMap((s) => ['--without', s]);
  const u0 = Date.now();
  const up = await stack(
    ['up', '--json', '--timeout', String(options.timeoutSec ?? 300), ...without],
    1_500_000,
  );
  const upSeconds = seconds(Date.now() - u0);
  if (up.code !== 0) throw new Error(`stack up exited ${up.code} after ${upSeconds} s:\n${tail(up, 30)}`);
  const upDoc = parse<{ ok: boolean; mode: string }>('stack up --json', up);
  if (upDoc.mode !== 'docker') throw new Error(`stack up in auto mode picked ${upDoc.mode}, not docker`);
  log(`stack up (auto → docker) healthy in ${upSeconds} s`);
  return upSeconds;
}

/** status: exit 0, healthy, every service fine, the left-out ones skipped (not missing). */
async function stackStatus(
  stack: Stack,
  without: string[],
  log: Log,
): Promise<{ started: string[]; skipped: string[] }> {
  const status = await stack(['status', '--json']);
  const report = parse<StatusDocument>('stack status --json', status);
  if (status.code !== 0 || !report.healthy)
    throw new Error(
      `stack status exited ${status.code}, healthy ${report.healthy}: ${report.problems.join('; ')}`,
    );
  if (report.mode !== 'docker') throw new Error(`stack status reports mode ${report.mode}`);
  const skipped = report.components.filter((c) => c.state === 'skipped').map((c) => c.name);
  const unexpected = skipped.filter((s) => !without.includes(s));
  if (unexpected.length > 0)
    throw new Error(`stack status skips services not left out: ${unexpected.join(', ')}`);
  const missing = without.filter((s) => !skipped.includes(s));
  if (missing.length > 0) throw new Error(`stack status does not show ${missing.join(', ')} as skipped`);
  const started = report.components.filter((c) => c.state !== 'skipped').map((c) => c.name);
  const plain = await stack(['status']);
  if (plain.code !== 0 || !plain.stdout.includes('stack (docker): healthy'))
    throw new Error(`stack status (text) exited ${plain.code}:\n${tail(plain)}`);
  log(`stack status healthy: ${started.length} services, skipped ${skipped.join(', ') || 'none'}`);
  return { started, skipped };
}

/** logs of every started service (one-shots included) are not empty. */
async function stackLogs(stack: Stack, started: string[], log: Log): Promise<void> {
  const silent: string[] = [];
  for (const service of started) {
    const logs = await stack(['logs', service, '--tail', '20']);
    if (logs.code !== 0) throw new Error(`stack logs ${service} exited ${logs.code}:\n${tail(logs)}`);
    if (!logs.stdout.trim()) silent.push(service);
  }
  if (silent.length > 0) throw new Error(`stack logs printed nothing for ${silent.join(', ')}`);
  log(`stack logs: lines from each of the ${started.length} services`);
}

/** doctor names the versions the engine and the Compose plugin report themselves. */
async function stackDoctor(stack: Stack, log: Log): Promise<string> {
  const engine = (await run('docker', ['version', '--format', '{{.Server.Version}}'])).stdout.trim();
  const api = (await run('docker', ['version', '--format', '{{.Server.APIVersion}}'])).stdout.trim();
  const compose = (await run('docker', ['compose', 'version', '--short'])).stdout.trim().replace(/^v/, '');
  const doctor = await stack(['doctor', '--json']);
  const findings = parse<DoctorDocument>('stack doctor --json', doctor).findings;
  const expect = (check: string, want: string) => {
    const f = findings.find((x) => x.check === check);
    if (f?.message !== want || f?.severity !== 'ok')
      throw new Error(`stack doctor says ${JSON.stringify(f)}, want "${want}"`);
  };
  expect('docker engine', `Docker engine ${engine} (API ${api})`);
  expect('docker compose', `Docker Compose ${compose}`);
  const errors = findings.filter((f) => f.severity === 'error');
  if (doctor.code !== 0 || errors.length > 0)
    throw new Error(
      `stack doctor exited ${doctor.code}: ${errors.map((f) => `${f.check}: ${f.message}`).join('; ')}`,
    );
  log(`stack doctor: engine ${engine} (API ${api}), compose ${compose}`);
  return `engine ${engine} API ${api}, compose ${compose}`;
}

/** down --volumes: nothing of the project left, nor the record of left-out services. */
async function stackDown(stack: Stack, project: string, stateDir: string): Promise<void> {
  const down = await stack(['down', '--volumes'], 300_000);
  if (down.code !== 0) throw new Error(`stack down --volumes exited ${down.code}:\n${tail(down)}`);
  const left = await leftovers(project);
  if (left.length > 0) throw new Error(`stack down --volumes left behind: ${left.join('; ')}`);
  if (existsSync(path.join(stateDir, `docker-${project}.json`)))
    throw new Error('stack down left the record of left-out services');
}

/**
 * The stack CLI's Docker mode, end to end on the real engine (issue 11, item 4), as a user runs
 * it: the built CLI (`node packages/stack/bin/stack.js`, what `pnpm stack` runs), in auto mode,
 * on its own Compose project (COMPOSE_PROJECT_NAME=stackcli-...), env file (random passwords,
 * free ports) and state dir, so a user's stack and compose/.env are never touched.
 *
 * `up --without <unstartable>` must pick Docker and reach healthy; `status --json` exit 0 and
 * healthy; `logs <service>` non-empty for every started service; `doctor` names the engine and
 * Compose versions the engine and plugin report; `down --volumes` leaves no container, volume or
 * network of the project. Images must be built already (stand-ins; the CLI's `up --build` builds
 * reelwatch/services, from cache when the Compose test built it before). Returns a one-line
 * summary; throws naming the step that failed. The project is always taken down.
 */
export async function stackCliEndToEnd(options: StackCliOptions): Promise<string> {
  const log = options.log ?? (() => {});
  const project = `stackcli-${process.pid}${randomBytes(2).toString('hex')}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackcli-'));
  const stateDir = path.join(dir, 'state');
  const { file: envFile, env: envValues } = await writeEnvFile(dir, options.envOverrides ?? {});
  // the user's shell must not choose for the test: no mode, env file or state dir of theirs, and
  // none of the env file's keys (the environment wins over the env file in Compose)
  const env: NodeJS.ProcessEnv = { ...process.env, COMPOSE_PROJECT_NAME: project, NO_COLOR: '1' };
  for (const key of Object.keys(env))
    if (key.startsWith('REELWATCH_STACK_') || key in envValues || key === 'COMPOSE_PROFILES') delete env[key];
  const common = ['--state-dir', stateDir, '--env-file', envFile];
  const stack: Stack = (args, timeoutMs = 120_000) =>
    runUnchecked('node', [STACK_BIN, ...args, ...common], { cwd: REPO_ROOT, env, timeoutMs });
  let tornDown = false;
  try {
    const upSeconds = await stackUp(stack, options, log);
    const { started, skipped } = await stackStatus(stack, options.without, log);
    await stackLogs(stack, started, log);
    const versions = await stackDoctor(stack, log);
    tornDown = true;
    await stackDown(stack, project, stateDir);
    return (
      `stack CLI: up (auto → docker) healthy in ${upSeconds} s, status healthy (${started.length} services` +
      `${skipped.length ? `, ${skipped.join(', ')} left out` : ''}), logs from each, ` +
      `doctor: ${versions}; down --volumes left nothing`
    );
  } finally {
    if (!tornDown) {
      const down = await stack(['down', '--volumes'], 300_000).catch((e: Error) => e);
      if (down instanceof Error || down.code !== 0) log(`stack down after the failure: ${String(down)}`);
    }
    // whatever the CLI may have missed: this run's project only
    if ((await leftovers(project).catch(() => [])).length > 0)
      await runUnchecked('docker', ['compose', '-p', project, 'down', '-v', '--remove-orphans', '-t', '5'], {
        timeoutMs: 300_000,
      });
    rmSync(dir, { recursive: true, force: true });
  }
}
