import type { TaskEvent } from '@reelwatch/task-queue';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TaskRecord, WorkerRecord } from './state';

/**
 * Flower's metrics, same names, labels and help texts (flower/events.py), so Flower's Grafana
 * dashboard works unchanged. Fed by the event stream, like Flower's.
 */
export class FlowerMetrics {
  readonly events: Counter<'worker' | 'type' | 'task'>;
  readonly runtime: Histogram<'worker' | 'task'>;
  readonly prefetchTime: Gauge<'worker' | 'task'>;
  readonly prefetched: Gauge<'worker' | 'task'>;
  readonly workerOnline: Gauge<'worker'>;
  readonly executing: Gauge<'worker'>;
  /** tasks counted in flower_worker_prefetched_tasks by this process, not yet started */
  private readonly prefetchCounted = new Map<string, { worker: string; task: string }>();

  constructor(registry: Registry, runtimeBuckets?: number[]) {
    const registers = [registry];
    this.events = new Counter({
      name: 'flower_events_total',
      help: 'Number of events',
      labelNames: ['worker', 'type', 'task'],
      registers,
    });
    this.runtime = new Histogram({
      name: 'flower_task_runtime_seconds',
      help: 'Task runtime',
      labelNames: ['worker', 'task'],
      // prometheus_client's DEFAULT_BUCKETS, as Flower's task_runtime_metric_buckets default
      buckets: runtimeBuckets ?? [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
      registers,
    });
    this.prefetchTime = new Gauge({
      name: 'flower_task_prefetch_time_seconds',
      help: 'The time the task spent waiting at the celery worker to be executed.',
      labelNames: ['worker', 'task'],
      registers,
    });
    this.prefetched = new Gauge({
      name: 'flower_worker_prefetched_tasks',
      help: 'Number of tasks of given type prefetched at a worker',
      labelNames: ['worker', 'task'],
      registers,
    });
    this.workerOnline = new Gauge({
      name: 'flower_worker_online',
      help: 'Worker online status',
      labelNames: ['worker'],
      registers,
    });
    this.executing = new Gauge({
      name: 'flower_worker_number_of_currently_executing_tasks',
      help: 'Number of tasks currently executing at a worker',
      labelNames: ['worker'],
      registers,
    });
  }

  observeTask(event: TaskEvent, task: TaskRecord): void {
    const worker = event.hostname;
    const name = event.name || task.name || '';
    this.events.inc({ worker, type: event.type, task: name });
    if (event.runtime !== undefined && (event.type === 'task-succeeded' || event.type === 'task-failed')) {
      this.runtime.observe({ worker, task: name }, event.runtime);
    }
    // as Flower: prefetch metrics only for tasks without a scheduled time
    if (task.eta) return;
    if (event.type === 'task-received') {
      this.prefetched.inc({ worker, task: name });
      this.prefetchCounted.set(task.uuid, { worker, task: name });
      return;
    }
    const counted = this.prefetchCounted.get(task.uuid);
    if (counted) {
      this.prefetchCounted.delete(task.uuid);
      this.prefetched.dec(counted);
    }
    if (event.type === 'task-started' && task.received !== null && task.started !== null) {
      this.prefetchTime.set({ worker, task: name }, Math.max(0, task.started - task.received));
    }
  }

  observeWorker(worker: WorkerRecord): void {
    this.workerOnline.set({ worker: worker.hostname }, worker.online ? 1 : 0);
    this.executing.set({ worker: worker.hostname }, worker.online ? worker.active : 0);
    if (!worker.online) {
      for (const [id, counted] of this.prefetchCounted) {
        if (counted.worker !== worker.hostname) continue;
        this.prefetchCounted.delete(id);
        this.prefetched.dec(counted);
      }
    }
  }

  /** Drops every series of a purged worker (prom-client removes by the full label set only). */
  async forgetWorker(hostname: string): Promise<void> {
    const metrics = [
      this.events,
      this.runtime,
      this.prefetchTime,
      this.prefetched,
      this.workerOnline,
      this.executing,
    ];
    for (const metric of metrics) {
      const { values } = await metric.get();
      const seen = new Set<string>();
      for (const { labels } of values) {
        if (labels.worker !== hostname) continue;
        const { le: _bucket, ...series } = labels as Record<string, string | number>;
        const key = JSON.stringify(series);
        if (seen.has(key)) continue;
        seen.add(key);
        (metric as Gauge<string>).remove(series as Record<string, string>);
      }
    }
  }
}
