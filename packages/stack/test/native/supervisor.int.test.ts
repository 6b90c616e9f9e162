import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@reelwatch/testkit';
import { groupAlive } from '../../src/native/processes';
import {
  RESTART_POLICY,
  readSupervisorStatus,
  restartDelayMs,
  type SupervisorSpec,
  type SupervisorStatus,
} from '../../src/native/supervisor';
import { REPO_ROOT } from '../support';

// The supervisor as native mode runs it: its own process group, a real child, real signals.
const MAIN = path.join(REPO_ROOT, 'packages', 'stack', 'src', 'native', 'supervisor-main.ts');

let dir: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'supervisor-'));
});

afterEach(() => {
  for (const child of running.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function startSupervisor(
  name: string,
  script: string,
  command = process.execPath,
): { leader: ChildProcess; status: () => SupervisorStatus | undefined; log: string } {
  const spec: SupervisorSpec = {
    name,
    launch: {
      command,
      args: ['-e', script],
      env: { PATH: process.env.PATH ?? '' },
      cwd: dir,
    },
    log: path.join(dir, `${name}.log`),
    statusFile: path.join(dir, `${name}.status.json`),
  };
  const specFile = path.join(dir, `${name}.spec.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const leader = spawn(process.execPath, ['-r', '@swc-node/register', MAIN, specFile], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: 'ignore',
  });
  running.push(leader);
  return { leader, status: () => readSupervisorStatus(spec.statusFile), log: spec.log };
}

/** Waits until the component's log holds `text` `times` times (it printed it once its handlers are set). */
async function logged(log: string, text: string, times = 1): Promise<void> {
  const count = () => (existsSync(log) ? readFileSync(log, 'utf8').split(text).length - 1 : 0);
  await waitFor(() => count() >= times, { timeoutMs: 15_000, what: `${times} × "${text}" in ${log}` });
}

test('the restart delay doubles from 100 ms and stops at 30 s', () => {
  expect([1, 2, 3, 4].map(restartDelayMs)).toEqual([100, 200, 400, 800]);
  expect(restartDelayMs(30)).toBe(RESTART_POLICY.maxDelayMs);
});

test('a component killed with -9 is started again, and the restart is counted with its cause', async () => {
  const s = startSupervisor('svc', 'console.log("up", process.pid); setInterval(() => {}, 1000)');
  await logged(s.log, 'up ');
  const first = s.status()!.childPid!;
  process.kill(first, 'SIGKILL');
  await waitFor(() => (s.status()?.childPid ?? first) !== first && s.status()?.state === 'running', {
    timeoutMs: 10_000,
    what: 'the restart',
  });
  const after = s.status()!;
  expect(after.restarts).toBe(1);
  expect(after.lastExit).toMatchObject({ code: null, signal: 'SIGKILL' });
  expect(readFileSync(s.log, 'utf8')).toMatch(
    /svc exited \(signal SIGKILL\) after [\d.]+ s; restart 1 in 0\.1 s/,
  );
  await logged(s.log, 'up ', 2);
  expect(readFileSync(s.log, 'utf8').match(/^up \d+$/gm)).toHaveLength(2);
}, 30_000);

test('a component that keeps exiting is reported crash-looping, with a growing delay', async () => {
  const s = startSupervisor('bad', 'console.error("cannot start: bad config"); process.exit(3)');
  await waitFor(() => s.status()?.state === 'crash-looping', { timeoutMs: 15_000, what: 'crash-looping' });
  const status = s.status()!;
  expect(status.restarts).toBeGreaterThanOrEqual(RESTART_POLICY.crashLoopAfter);
  expect(status.lastExit).toMatchObject({ code: 3, signal: null });
  expect(readFileSync(s.log, 'utf8')).toContain('cannot start: bad config');
}, 30_000);

test('SIGTERM to the group (what down sends) stops the component and the supervisor: nothing is restarted', async () => {
  const s = startSupervisor(
    'svc',
    'process.on("SIGTERM", () => { console.log("bye"); process.exit(0) }); console.log("ready"); setInterval(() => {}, 1000)',
  );
  await logged(s.log, 'ready');
  process.kill(-s.leader.pid!, 'SIGTERM');
  await waitFor(() => !groupAlive(s.leader.pid!), { timeoutMs: 10_000, what: 'the group to end' });
  expect(s.status()).toMatchObject({ state: 'stopped', restarts: 0, childPid: null });
  expect(readFileSync(s.log, 'utf8')).toContain('bye');
}, 30_000);

test('a signal sent to the supervisor alone is passed on to the component', async () => {
  const s = startSupervisor(
    'svc',
    'process.on("SIGINT", () => { console.log("fast shutdown"); process.exit(0) }); console.log("ready"); setInterval(() => {}, 1000)',
  );
  await logged(s.log, 'ready');
  process.kill(s.leader.pid!, 'SIGINT');
  await waitFor(() => !groupAlive(s.leader.pid!), { timeoutMs: 10_000, what: 'the group to end' });
  expect(readFileSync(s.log, 'utf8')).toContain('fast shutdown');
  expect(s.status()?.restarts).toBe(0);
}, 30_000);

test('SIGUSR1 holds the component stopped (no restart) and SIGUSR2 starts it again', async () => {
  const s = startSupervisor(
    'svc',
    'process.on("SIGTERM", () => { console.log("stopping"); process.exit(0) }); console.log("ready"); setInterval(() => {}, 1000)',
  );
  await logged(s.log, 'ready');
  process.kill(s.leader.pid!, 'SIGUSR1');
  await waitFor(() => s.status()?.state === 'held', { timeoutMs: 10_000, what: 'held' });
  await new Promise((r) => setTimeout(r, 1_000)); // ten times the first restart delay
  expect(s.status()).toMatchObject({ state: 'held', childPid: null, restarts: 0 });
  expect(groupAlive(s.leader.pid!)).toBe(true); // the supervisor waits
  process.kill(s.leader.pid!, 'SIGUSR2');
  await logged(s.log, 'ready', 2);
  expect(s.status()).toMatchObject({ state: 'running', restarts: 0 });
  expect(readFileSync(s.log, 'utf8')).toContain('svc stopped on request; held until started again');
}, 30_000);

test('a component that cannot be started at all (binary gone) is retried and reported, and down still ends it at once', async () => {
  const s = startSupervisor('gone', '', path.join(dir, 'no-such-binary'));
  await waitFor(() => s.status()?.state === 'crash-looping', { timeoutMs: 15_000, what: 'crash-looping' });
  expect(readFileSync(s.log, 'utf8')).toMatch(/could not start .*no-such-binary: spawn .* ENOENT/);
  const asked = Date.now();
  process.kill(-s.leader.pid!, 'SIGTERM');
  await waitFor(() => !groupAlive(s.leader.pid!), { timeoutMs: 5_000, what: 'the supervisor to end' });
  expect(Date.now() - asked).toBeLessThan(5_000);
}, 30_000);

test('start while a held component is still stopping starts it once it is down, and is not counted as a crash', async () => {
  const s = startSupervisor(
    'slow',
    'process.on("SIGTERM", () => setTimeout(() => process.exit(0), 1500)); console.log("ready"); setInterval(() => {}, 1000)',
  );
  await logged(s.log, 'ready');
  process.kill(s.leader.pid!, 'SIGUSR1');
  await waitFor(() => s.status()?.state === 'stopping', { timeoutMs: 5_000, what: 'stopping' });
  process.kill(s.leader.pid!, 'SIGUSR2');
  await logged(s.log, 'ready', 2);
  expect(s.status()).toMatchObject({ state: 'running', restarts: 0 });
  expect(readFileSync(s.log, 'utf8')).toContain('slow stopped on request and started again');
}, 30_000);
