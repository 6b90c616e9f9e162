import { spawnChild } from '../src/process';
import { waitFor } from '../src/wait';

describe('spawnChild', () => {
  const cleanups: Array<() => unknown> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('keeps only the tail of a child’s output', async () => {
    const child = spawnChild({
      name: 'chatty',
      command: process.execPath,
      args: ['-e', "for (let i = 0; i < 20000; i++) console.log('line ' + i)"],
      outputLimit: 1024,
    });
    const status = await child.waitForExit(10_000);
    expect(status.code).toBe(0);
    expect(child.output().length).toBeLessThanOrEqual(1024);
    expect(child.output().trimEnd().endsWith('line 19999')).toBe(true);
  });

  test('stop escalates to SIGKILL when the child ignores the signal', async () => {
    const child = spawnChild({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
    });
    cleanups.push(() => child.stop('SIGKILL'));
    await waitFor(() => child.output().includes('ready'), { timeoutMs: 10_000, what: 'the child to start' });
    const status = await child.stop('SIGTERM', 300);
    expect(status.signal).toBe('SIGKILL');
  });
});
