import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../src/wait';

const fixture = path.join(__dirname, 'fixtures', 'start-and-die.ts');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the fixture, returns what it started once it has died the way `how` says. */
async function startAndDie(
  how: 'exit' | 'throw' | 'signal' | 'kill9',
): Promise<{ pids: number[]; dirs: string[] }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', fixture, how], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const line = await waitFor(() => stdout.split('\n').find((l) => l.startsWith('{')), {
      timeoutMs: 30_000,
      what: `the fixture to report its servers (stderr: ${stderr.slice(-500)})`,
    });
    if (how === 'signal') child.kill('SIGINT');
    if (how === 'kill9') child.kill('SIGKILL');
    await exited;
    return JSON.parse(line) as { pids: number[]; dirs: string[] };
  } finally {
    child.kill('SIGKILL');
  }
}

describe('servers of a test process that dies', () => {
  test.each(['exit', 'throw', 'signal'] as const)(
    'are killed and their temp dirs removed on %s',
    async (how) => {
      const { pids, dirs } = await startAndDie(how);
      expect(pids).toHaveLength(2);
      expect(dirs).toHaveLength(1);
      await waitFor(() => pids.every((pid) => !isRunning(pid)), {
        timeoutMs: 5_000,
        what: 'the servers to die',
      });
      expect(pids.filter(isRunning)).toEqual([]);
      expect(dirs.filter((dir) => existsSync(dir))).toEqual([]);
    },
  );
});
