import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A watchdog process that outlives this one by a moment: it is told every process group and temp
 * dir testkit creates, and when its stdin closes (this process is gone, however it died: normal
 * exit, crash, SIGKILL, a jest worker torn down) it SIGKILLs those groups and removes those dirs.
 *
 * Why not process.on('exit'): inside jest, `process` is a per-test-file copy whose 'exit' and
 * signal listeners never fire, and nothing in-process survives a SIGKILL anyway.
 */
const REAPER_SOURCE = `
const { rmSync } = require('node:fs');
const groups = new Set();
const dirs = new Set();
let pending = '';
function reap() {
  for (const group of groups) { try { process.kill(-group, 'SIGKILL'); } catch {} }
  for (const dir of dirs) { try { rmSync(dir, { recursive: true, force: true }); } catch {} }
  process.exit(0);
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let end;
  while ((end = pending.indexOf('\\n')) !== -1) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    const value = line.slice(2);
    if (line.startsWith('+ ')) groups.add(Number(value));
    else if (line.startsWith('- ')) groups.delete(Number(value));
    else if (line.startsWith('D ')) dirs.add(value);
    else if (line.startsWith('d ')) dirs.delete(value);
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
`;

let reaper: ChildProcess | undefined;

function send(line: string): void {
  if (reaper === undefined) {
    reaper = spawn(process.execPath, ['-e', REAPER_SOURCE], {
      detached: true, // not in our process group: a Ctrl-C must not kill it before us
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    reaper.unref();
    const stdin = reaper.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
    stdin?.unref?.();
    stdin?.on('error', () => {}); // the reaper died first: nothing left to tell it
    reaper.once('exit', () => {
      reaper = undefined;
    });
  }
  reaper.stdin?.write(`${line}\n`);
}

/** The watchdog's pid (excluded from leak checks), if it has been started. */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}

export function reapGroupOnExit(pgid: number): void {
  send(`+ ${pgid}`);
}

export function forgetGroup(pgid: number): void {
  if (reaper) send(`- ${pgid}`);
}

export function reapDirOnExit(dir: string): void {
  send(`D ${dir}`);
}

export function forgetDir(dir: string): void {
  if (reaper) send(`d ${dir}`);
}
