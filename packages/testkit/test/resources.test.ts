import net from 'node:net';
import { freePort } from '../src/ports';
import { spawnChild } from '../src/process';
import { leaksSince, remainingLeaks, snapshotResources } from '../src/resources';
import { makeTempDir, removeTempDir } from '../src/temp';
import { waitFor } from '../src/wait';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('resource snapshots', () => {
  const cleanups: Array<() => unknown> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Until the child has exec'd, /proc shows it with this (node's) command line. */
  const commandShown = (before: ReturnType<typeof snapshotResources>, command: RegExp) =>
    waitFor(() => leaksSince(before).some((leak) => command.test(leak)), {
      timeoutMs: 5_000,
      intervalMs: 10,
      what: `a process running ${command}`,
    });

  test('a child process still running is reported until it is stopped', async () => {
    const before = snapshotResources();
    const child = spawnChild({ name: 'sleeper', command: 'sleep', args: ['30'] });
    cleanups.push(() => child.stop('SIGKILL'));
    await commandShown(before, /sleep 30$/);
    expect(leaksSince(before)).toEqual([`process ${child.pid} still running: sleep 30`]);
    const status = await child.stop();
    expect(status.signal).toBe('SIGTERM');
    expect(await remainingLeaks(before)).toEqual([]);
  });

  test('a grandchild left behind by its exited parent dies with the process group', async () => {
    const before = snapshotResources();
    const child = spawnChild({ name: 'forker', command: 'sh', args: ['-c', 'sleep 31 & echo $!'] });
    cleanups.push(() => child.stop('SIGKILL'));
    await child.waitForExit(5_000);
    const grandchild = Number(child.output().trim());
    expect(grandchild).toBeGreaterThan(0);
    await waitFor(() => !isRunning(grandchild), {
      timeoutMs: 5_000,
      what: `sleep ${grandchild} to be killed`,
    });
    expect(await remainingLeaks(before)).toEqual([]);
  });

  test('a listening socket of this process is reported until it is closed', async () => {
    const before = snapshotResources();
    const port = await freePort();
    const server = net.createServer();
    cleanups.push(() => server.listening && new Promise((resolve) => server.close(resolve)));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    expect(leaksSince(before)).toEqual([`port 127.0.0.1:${port} still listening (pid ${process.pid})`]);
    await new Promise((resolve) => server.close(resolve));
    expect(await remainingLeaks(before)).toEqual([]);
  });

  test('a temp dir is reported until it is removed', async () => {
    const before = snapshotResources();
    const dir = makeTempDir('resources-test');
    cleanups.push(() => removeTempDir(dir));
    expect(leaksSince(before)).toEqual([`temp dir ${dir} still exists`]);
    removeTempDir(dir);
    expect(await remainingLeaks(before)).toEqual([]);
  });
});
