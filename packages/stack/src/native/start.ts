import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMPONENTS, type Runtime, type StackComponent } from '../components';
import { StackError } from '../errors';
import type { Progress } from '../progress';
import { prometheusSummary } from '../prometheus-status';
import { sleep } from '../sleep';
import { groupAlive, type ProcessRecord, spawnDetached } from './processes';
import type { NativeSettings } from './settings';
import { logDir, type NativeState, writeState } from './state';
import { readSupervisorStatus, type SupervisorSpec, supervisorDir, supervisorFiles } from './supervisor';
import { tail } from './wait';

const HEALTH_INTERVAL_MS = 250;

type StartedProcess = ProcessRecord & { log: string; statusFile?: string };

/** packages/stack (from src/native or dist/native alike). */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** How long to wait for health, and the Ctrl-C that stops the wait. */
export interface StartOptions {
  signal: AbortSignal;
  timeoutMs: number;
}

async function waitHealthy(
  c: StackComponent,
  s: NativeSettings,
  record: StartedProcess | undefined,
  rt: Runtime,
  options: StartOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    if (options.signal.aborted) throw new StackError('START_FAILED', 'interrupted');
    const restarted = record?.statusFile ? readSupervisorStatus(record.statusFile)?.lastExit : null;
    if (record && (!groupAlive(record.pid) || restarted))
      throw new StackError(
        'START_FAILED',
        `${c.name} exited while starting${restarted ? ` (${restarted.signal ? `signal ${restarted.signal}` : `code ${restarted.code}`})` : ''}. Last lines of ${record.log}:\n${tail(record.log, 20)}`,
      );
    try {
      await c.health(s, rt);
      return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new StackError(
        'NOT_HEALTHY',
        `${c.name} not healthy after ${Math.round(options.timeoutMs / 1000)} s (${lastError})` +
          (record ? `. Last lines of ${record.log}:\n${tail(record.log, 20)}` : ''),
      );
    await sleep(HEALTH_INTERVAL_MS, options.signal);
  }
}

async function launch(
  c: StackComponent,
  s: NativeSettings,
  rt: Runtime,
): Promise<StartedProcess | undefined> {
  const spec = c.launch(s, rt);
  if (!spec) return undefined;
  const log = path.join(logDir(s.stateDir), `${c.name}.log`);
  if (c.truncateLog) writeFileSync(log, '');
  else
    writeFileSync(log, `--- pnpm stack up: starting ${c.name} at ${new Date().toISOString()} ---\n`, {
      flag: 'a',
    });
  if (c.noRestart) return { ...(await spawnDetached(spec, log)), log };
  // Supervised: the supervisor leads the process group and restarts the component when it exits.
  const files = supervisorFiles(s.stateDir, c.name);
  mkdirSync(supervisorDir(s.stateDir), { recursive: true });
  rmSync(files.status, { force: true });
  const supervisorSpec: SupervisorSpec = {
    name: c.name,
    launch: spec,
    log,
    statusFile: files.status,
    ...(c.stopSignal ? { stopSignal: c.stopSignal } : {}),
  };
  writeFileSync(files.spec, `${JSON.stringify(supervisorSpec, null, 2)}\n`);
  const entry = path.join(PACKAGE_ROOT, 'dist', 'native', 'supervisor-main.js');
  if (!existsSync(entry))
    throw new StackError('START_FAILED', `${entry} is missing: build packages/stack first (pnpm build)`);
  const record = await spawnDetached(
    { command: process.execPath, args: [entry, files.spec], env: spec.env, cwd: spec.cwd },
    log,
  );
  return { ...record, log, statusFile: files.status };
}

/**
 * Starts one component: prepare, launch (its log opened), wait until healthy, then `ready`; it is
 * recorded in `state`, written as it goes so that `down` can stop it.
 */
export async function startComponent(
  c: StackComponent,
  s: NativeSettings,
  state: NativeState,
  options: StartOptions,
): Promise<void> {
  const rt = state.runtime;
  await c.prepare?.(s, rt, COMPONENTS);
  const record = await launch(c, s, rt);
  if (record) state.processes[c.name] = record;
  else state.external.push(c.name);
  writeState(s.stateDir, state);
  await waitHealthy(c, s, record, rt, options);
  await c.ready?.(s, rt);
  state.runtime = rt;
  writeState(s.stateDir, state);
}

/** `up` is done when Prometheus scrapes every target successfully (what Compose users get too). */
export async function waitForTargets(
  s: NativeSettings,
  progress: Progress,
  options: StartOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const base = `http://127.0.0.1:${s.ports.prometheus}`;
  for (;;) {
    const summary = await prometheusSummary(base);
    const up = summary.targets.filter((t) => t.health === 'up').length;
    const total = summary.targets.length;
    if (summary.reachable && total > 0 && up === total) {
      progress.set('targets', 'healthy', `${up}/${total} Prometheus targets up`);
      return;
    }
    progress.set('targets', 'waiting', `${up}/${total} Prometheus targets up`);
    if (Date.now() > deadline || options.signal.aborted)
      throw new StackError(
        'NOT_HEALTHY',
        `Prometheus targets not all up: ${summary.targets
          .filter((t) => t.health !== 'up')
          .map((t) => `${t.job} (${t.lastError || t.health})`)
          .join(', ')}`,
      );
    await sleep(500, options.signal);
  }
}
