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

  test('a new Pushgateway starts empty, whatever an earlier one was given', async () => {
    const first = await startPushgateway();
    const push = await fetch(`${first.url}/metrics/job/testkit_carryover`, {
      method: 'PUT',
      body: '# TYPE testkit_carryover_rows gauge\ntestkit_carryover_rows 3\n',
    });
    expect(push.status).toBe(200);
    await first.destroy();

    const second = await startPushgateway();
    cleanups.push(second.destroy);
    const metrics = await fetch(`${second.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('pushgateway_build_info');
    expect(metrics).not.toContain('testkit_carryover_rows');
  });
});
