import { startPushgateway } from '../src/pushgateway';
import { type ResourceSnapshot, remainingLeaks, snapshotResources } from '../src/resources';

describe('startPushgateway', () => {
  let before: ResourceSnapshot;
  const cleanups: Array<() => Promise<void>> = [];

  beforeEach(() => {
    before = snapshotResources();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    expect(await remainingLeaks(before)).toEqual([]);
  });

  test('startPushgateway accepts a pushed metric and shows it on /metrics', async () => {
    const pushgateway = await startPushgateway();
    cleanups.push(pushgateway.destroy);
    const push = await fetch(`${pushgateway.url}/metrics/job/testkit_demo`, {
      method: 'PUT',
      body: '# TYPE testkit_demo_rows gauge\ntestkit_demo_rows 7\n',
    });
    expect(push.status).toBe(200);
    const metrics = await fetch(`${pushgateway.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^testkit_demo_rows\{[^}]*job="testkit_demo"[^}]*\} 7$/m);
  });
});
