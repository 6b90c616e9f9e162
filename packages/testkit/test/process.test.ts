import { freePort } from '../src/ports';
import { spawnChild } from '../src/process';
import { GiveUpWaiting, WaitTimeoutError, waitFor } from '../src/wait';

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

describe('waitFor', () => {
  test('returns the first truthy probe result', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : undefined), {
      timeoutMs: 5_000,
      intervalMs: 1,
      what: 'three calls',
    });
    expect(value).toBe('after 3');
  });

  test('names what it waited for and the last error when the deadline passes', async () => {
    const waiting = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 100, intervalMs: 10, what: 'the thing' },
    );
    await expect(waiting).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(waiting).rejects.toThrow(/waiting for the thing; last error: connection refused/);
  });

  test('gives up at once on GiveUpWaiting', async () => {
    const started = Date.now();
    await expect(
      waitFor(
        () => {
          throw new GiveUpWaiting('server exited');
        },
        { timeoutMs: 10_000, what: 'a dead server' },
      ),
    ).rejects.toThrow('server exited');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('freePort', () => {
  test('hands out distinct ports', async () => {
    const ports = await Promise.all(Array.from({ length: 10 }, () => freePort()));
    expect(new Set(ports).size).toBe(10);
  });
});
