import net from 'node:net';
import * as ports from '../src/ports';
import { startPostgres } from '../src/postgres';
import { startPushgateway } from '../src/pushgateway';
import { startRedis } from '../src/redis';
import { remainingLeaks, snapshotResources } from '../src/resources';

// freePort is replaced by a mock (the real one by default) so a test can hand out a taken port
jest.mock('../src/ports', () => {
  const actual = jest.requireActual<typeof import('../src/ports')>('../src/ports');
  return { ...actual, freePort: jest.fn(actual.freePort) };
});

describe('a server that loses the race for its port', () => {
  const cleanups: Array<() => unknown> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function occupiedPort(): Promise<number> {
    // answers nothing: every connection (a readiness probe) is dropped at once
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return (server.address() as net.AddressInfo).port;
  }

  test.each([
    ['startRedis', startRedis],
    ['startPushgateway', startPushgateway],
    [
      'startPostgres',
      async () => {
        const cluster = await startPostgres({ replica: false });
        return { port: cluster.primary.port, destroy: () => cluster.destroy() };
      },
    ],
  ])('%s moves to another free port', async (_name, start) => {
    const taken = await occupiedPort();
    const before = snapshotResources();
    jest.mocked(ports.freePort).mockImplementationOnce(async () => taken);
    const server = await start();
    cleanups.push(() => server.destroy());
    expect(server.port).not.toBe(taken);
    await server.destroy();
    cleanups.pop();
    expect(await remainingLeaks(before)).toEqual([]);
  });
});

describe('freePort', () => {
  test('hands out distinct ports', async () => {
    const handedOut = await Promise.all(Array.from({ length: 10 }, () => ports.freePort()));
    expect(new Set(handedOut).size).toBe(10);
  });
});
