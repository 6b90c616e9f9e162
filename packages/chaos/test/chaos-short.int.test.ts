import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findBinary } from '@reelwatch/testkit';

// The short fault run as the README gives it: a throwaway native stack, every fault once with the
// rules' durations divided by 10, the accounting. Its last line is the run's verdict.
const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'packages', 'chaos', 'dist', 'main.js');

test('pnpm chaos --short --up: every fault alerted and resolved, nothing lost or duplicated', async () => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run pnpm build first (the root test command does)`);
  for (const [binary, pkg] of [
    ['postgres', 'postgresql'],
    ['kcat', 'kcat'],
    ['redis-server', 'redis-server'],
    ['prometheus', 'prometheus'],
    ['prometheus-alertmanager', 'prometheus-alertmanager'],
    ['prometheus-pushgateway', 'prometheus-pushgateway'],
  ] as const)
    findBinary(binary, pkg);
  const child = spawn(process.execPath, [MAIN, '--short', '--up', '--seed', '13'], {
    cwd: ROOT,
    env: { ...process.env, REELWATCH_STACK_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  process.stdout.write(`${output}\n`);
  const last = output.trim().split('\n').at(-1) ?? '';
  const m =
    /^chaos: (\d+) faults, (\d+)\/(\d+) alerted and resolved, lost (\d+), duplicated (\d+), max RSS growth ([\d.]+) MB$/.exec(
      last,
    );
  expect({ code, last }).toEqual({ code: 0, last: expect.stringMatching(/^chaos: /) });
  expect(m).not.toBeNull();
  const [, faults, alerted, of, lost, duplicated] = m!.map(Number);
  expect(faults).toBe(11);
  expect([alerted, of, lost, duplicated]).toEqual([faults, faults, 0, 0]);
}, 1_200_000);
