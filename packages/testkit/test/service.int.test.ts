import path from 'node:path';
import { freePort } from '../src/ports';
import { type ResourceSnapshot, remainingLeaks, snapshotResources } from '../src/resources';
import { type ServiceProcess, startService } from '../src/service';

const entry = path.join(__dirname, 'fixtures', 'tiny-service.js');

describe('startService', () => {
  let before: ResourceSnapshot;
  let service: ServiceProcess | undefined;

  beforeEach(() => {
    before = snapshotResources();
  });

  afterEach(async () => {
    await service?.kill9();
    service = undefined;
    expect(await remainingLeaks(before)).toEqual([]);
  });

  test('starts a service, waits for /healthz, and stop returns its exit code', async () => {
    const port = await freePort();
    service = await startService({
      entry,
      port,
      env: { PORT: String(port), GREETING: 'hello', EXIT_CODE: '5' },
    });
    expect(service.url).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect(service.output()).toContain('greeting=hello');
    expect(await service.stop()).toBe(5);
    expect(service.output()).toContain('SIGTERM, closing');
  });

  test('kill9 ends a service at once', async () => {
    const port = await freePort();
    service = await startService({ entry, port, env: { PORT: String(port) } });
    await service.kill9();
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
  });

  test('a service that exits while starting fails with its output', async () => {
    const port = await freePort();
    await expect(
      startService({ entry, port, env: { PORT: String(port), CRASH_AT_START: '1' } }),
    ).rejects.toThrow(/exited \(code 3\) before it was healthy[\s\S]*refusing to start/);
  });

  test('a missing entry fails naming the build step', async () => {
    await expect(
      startService({ entry: path.join(__dirname, 'no-such-dist', 'main.js'), port: 1, env: {} }),
    ).rejects.toThrow(/does not exist: build it first \(pnpm build\)/);
  });
});
