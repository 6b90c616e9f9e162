import { startAlertmanager } from '../src/alertmanager';
import { type ResourceSnapshot, remainingLeaks, snapshotResources } from '../src/resources';

describe('startAlertmanager', () => {
  let before: ResourceSnapshot;
  const cleanups: Array<() => Promise<void>> = [];

  beforeEach(() => {
    before = snapshotResources();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    expect(await remainingLeaks(before)).toEqual([]);
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
});
