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
  /** tasks counted in flower_worker_prefetched_tasks by this process, not yet started -> series key */
  private readonly prefetchCounted = new Map<string, string>();
  private readonly pending = new PendingSamples();

  constructor(registry: Registry, runtimeBuckets?: number[]) {
    const registers = [registry];
    const pending = this.pending;
    this.events = new Counter({
      name: 'flower_events_total',
      help: 'Number of events',
      labelNames: ['worker', 'type', 'task'],
      registers,
      collect() {
        for (const { labels, count } of pending.events.values()) if (count > 0) this.inc(labels, count);
        pending.events.clear();
      },
    });
    this.runtime = new Histogram({
      name: 'flower_task_runtime_seconds',
      help: 'Task runtime',
      labelNames: ['worker', 'task'],
      // prometheus_client's DEFAULT_BUCKETS, as Flower's task_runtime_metric_buckets default
      buckets: runtimeBuckets ?? [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
      registers,
      collect() {
        pending.flushRuntimes(this);
      },
    });
    this.prefetchTime = new Gauge({
      name: 'flower_task_prefetch_time_seconds',
      help: 'The time the task spent waiting at the celery worker to be executed.',
      labelNames: ['worker', 'task'],
      registers,
      collect() {
        for (const { labels, value } of pending.prefetchTimes.values()) this.set(labels, value);
        pending.prefetchTimes.clear();
      },
    });
    this.prefetched = new Gauge({
      name: 'flower_worker_prefetched_tasks',
      help: 'Number of tasks of given type prefetched at a worker',
      labelNames: ['worker', 'task'],
      registers,
      collect() {
        for (const { labels, value } of pending.prefetched.values()) this.set(labels, value);
      },
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

  /**
   * Counts one task event. Hot path (every event): it only updates plain maps; the prom-client
   * metrics take the values in their collect(), at scrape time, so label hashing is paid once per
   * series and scrape instead of once per event.
   */
  observeTask(event: TaskEvent, task: TaskRecord): void {
    const worker = event.hostname;
    const name = event.name || task.name || '';
    const p = this.pending;
    const eventKey = `${worker}\u0000${event.type}\u0000${name}`;
    const counted = p.events.get(eventKey);
    if (counted) counted.count++;
    else p.events.set(eventKey, { labels: { worker, type: event.type, task: name }, count: 1 });
    const seriesKey = `${worker}\u0000${name}`;
    if (event.runtime !== undefined && (event.type === 'task-succeeded' || event.type === 'task-failed')) {
      p.observeRuntime(seriesKey, worker, name, event.runtime, this.runtime);
    }
    // as Flower: prefetch metrics only for tasks without a scheduled time
    if (task.eta) return;
    if (event.type === 'task-received') {
      p.addPrefetched(seriesKey, worker, name, 1);
      this.prefetchCounted.set(task.uuid, seriesKey);
      return;
    }
    const prefetchedKey = this.prefetchCounted.get(task.uuid);
    if (prefetchedKey !== undefined) {
      this.prefetchCounted.delete(task.uuid);
      p.addPrefetched(prefetchedKey, worker, name, -1);
    }
    if (event.type === 'task-started' && task.received !== null && task.started !== null) {
      p.prefetchTimes.set(seriesKey, {
        labels: { worker, task: name },
        value: Math.max(0, task.started - task.received),
      });
    } else if ((event.type === 'task-succeeded' || event.type === 'task-failed') && task.started !== null) {
      // as Flower: back to 0 once the task is done
      p.prefetchTimes.set(seriesKey, { labels: { worker, task: name }, value: 0 });
    }
  }

  observeWorker(worker: WorkerRecord): void {
    this.workerOnline.set({ worker: worker.hostname }, worker.online ? 1 : 0);
    this.executing.set({ worker: worker.hostname }, worker.online ? worker.active : 0);
    if (!worker.online) {
      for (const [id, key] of this.prefetchCounted) {
        if (!key.startsWith(`${worker.hostname}\u0000`)) continue;
        this.prefetchCounted.delete(id);
        const series = this.pending.prefetched.get(key);
        if (series) series.value--;
      }
    }
  }

  /** Drops every series of a purged worker (prom-client removes by the full label set only). */
  async forgetWorker(hostname: string): Promise<void> {
    this.pending.forget(hostname);
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

type Labels2 = { worker: string; task: string };

/** Values gathered between scrapes, handed to the prom-client metrics in their collect(). */
class PendingSamples {
  readonly events = new Map<
    string,
    { labels: { worker: string; type: string; task: string }; count: number }
  >();
  readonly prefetchTimes = new Map<string, { labels: Labels2; value: number }>();
  /** absolute values: gauges are set from these at each scrape */
  readonly prefetched = new Map<string, { labels: Labels2; value: number }>();
  private readonly runtimes = new Map<string, { labels: Labels2; values: number[] }>();
  private runtimeCount = 0;

  addPrefetched(key: string, worker: string, task: string, delta: number): void {
    const series = this.prefetched.get(key);
    if (series) series.value += delta;
    else this.prefetched.set(key, { labels: { worker, task }, value: delta });
  }

  observeRuntime(
    key: string,
    worker: string,
    task: string,
    value: number,
    histogram: Histogram<'worker' | 'task'>,
  ): void {
    const series = this.runtimes.get(key);
    if (series) series.values.push(value);
    else this.runtimes.set(key, { labels: { worker, task }, values: [value] });
    // bounded memory when nobody scrapes
    if (++this.runtimeCount >= 10_000) this.flushRuntimes(histogram);
  }

  flushRuntimes(histogram: Histogram<'worker' | 'task'>): void {
    for (const { labels, values } of this.runtimes.values()) {
      const child = histogram.labels(labels);
      for (const v of values) child.observe(v);
    }
    this.runtimes.clear();
    this.runtimeCount = 0;
  }

  forget(worker: string): void {
    for (const map of [this.events, this.prefetchTimes, this.prefetched, this.runtimes] as Map<
      string,
      { labels: { worker: string } }
    >[]) {
      for (const [key, series] of map) if (series.labels.worker === worker) map.delete(key);
    }
  }
}
