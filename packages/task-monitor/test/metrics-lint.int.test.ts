import { createMetricsRegistry } from '@reelwatch/service-kit';
import { lintMetrics, type RedisServer, startRedis, waitFor } from '@reelwatch/testkit';
import { createMonitorHarness, type MonitorHarness } from './helpers';

let server: RedisServer;
let h: MonitorHarness;

beforeAll(async () => {
  server = await startRedis();
  h = await createMonitorHarness(server);
});
afterAll(async () => {
  await h?.close();
  await server?.destroy();
});

// Flower's names are fixed by compatibility with Flower's Grafana dashboard; they are exempt from
// the naming rules should a rule disagree (none does today: the list is empty on purpose).
const FLOWER_COMPATIBILITY_EXCEPTIONS: string[] = [];

describe('task-monitor metrics', () => {
  it('pass the metric-name lint with every family populated', async () => {
    const registry = createMetricsRegistry({ service: 'task-monitor' });
    const monitor = await h.startMonitor({ registry });
    const worker = await h.startWorker();
    const ids = await h.client.applyBulk('noop', [{}, {}]);
    await waitFor(() => ids.every((id) => monitor.state.tasks.get(id)?.state === 'SUCCESS'), {
      timeoutMs: 10_000,
      what: 'tasks in history',
    });
    const text = await registry.metrics();
    for (const name of [
      'flower_events_total',
      'flower_task_runtime_seconds',
      'flower_task_prefetch_time_seconds',
      'flower_worker_prefetched_tasks',
      'flower_worker_online',
      'flower_worker_number_of_currently_executing_tasks',
      'reelwatch_tasks_queue_jobs',
      'reelwatch_tasks_queue_oldest_waiting_age_seconds',
      'reelwatch_tasks_worker_state',
      'reelwatch_tasks_workers',
    ]) {
      expect([name, text.includes(`# TYPE ${name} `)]).toEqual([name, true]);
    }
    expect(text).toContain(`worker="${worker.name}"`);
    expect(await lintMetrics(registry, { allowNames: FLOWER_COMPATIBILITY_EXCEPTIONS })).toEqual([]);
  });
});
