import { startAlertmanager } from '../src/alertmanager';
import { startPushgateway } from '../src/pushgateway';
import { redisPing, startRedis } from '../src/redis';
import { type ResourceSnapshot, remainingLeaks, snapshotResources } from '../src/resources';

describe('small daemons', () => {
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

  test('startAlertmanager accepts an alert and lists it', async () => {
    const alertmanager = await startAlertmanager();
    cleanups.push(alertmanager.destroy);
    const post = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'TestkitDemo', severity: 'info' } }]),
    });
    expect(post.status).toBe(200);
    const alerts = (await fetch(`${alertmanager.url}/api/v2/alerts`).then((r) => r.json())) as Array<{
      labels: Record<string, string>;
    }>;
    expect(alerts.map((alert) => alert.labels.alertname)).toEqual(['TestkitDemo']);
  });

  test('startRedis answers PING on its own port', async () => {
    const redis = await startRedis();
    cleanups.push(redis.destroy);
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redisPing(redis.host, redis.port)).toBe('+PONG');
  });
});
