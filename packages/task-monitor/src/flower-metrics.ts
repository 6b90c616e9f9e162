import type { TaskEvent } from '@reelwatch/task-worker';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TaskRecord } from './state';
import { type WorkerRecord, workerState } from './worker-state';

/**
 * Flower's metrics, same names, labels and help texts (flower/events.py), so Flower's Grafana
 * dashboard works unchanged. The task series are fed by the event stream, like Flower's; the two
 * worker gauges are read from the workers' states at scrape time (Flower sets
 * flower_worker_online only on events, so a lost worker stays 1 there; here it is 0).
 */
export class FlowerMetrics {
  readonly events: Counter<'worker' | 'type' | 'task'>;
  readonly runtime: Histogram<'worker' | 'task'>;
  readonly prefetchTime: Gauge<'worker' | 'task'>;
  readonly prefetched: Gauge<'worker' | 'task'>;
  readonly workerOnline: Gauge<'worker'>;
  readonly executing: Gauge<'worker'>;
  /** tasks counted in flower_worker_prefetched_tasks by this process, not yet started -> series key */
  private readonly prefetchCounted = new Map<string, TaskSeries>();
  private readonly pending = new PendingSamples();

  /** `workers`: the monitor's workers, read at scrape time */
  constructor(registry: Registry, workers: () => Iterable<WorkerRecord>, runtimeBuckets?: number[]) {
    const registers = [registry];
    const pending = this.pending;
    this.events = new Counter({
      name: 'flower_events_total',
      help: 'Number of events',
      labelNames: ['worker', 'type', 'task'],
      registers,
      collect() {
        for (const series of pending.series.values()) {
          for (const [type, count] of series.counts) {
            if (count > 0) this.inc({ worker: series.labels.worker, type, task: series.labels.task }, count);
          }
          series.counts.clear();
        }
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
        for (const series of pending.series.values()) {
          if (series.prefetchTime === undefined) continue;
          this.set(series.labels, series.prefetchTime);
          series.prefetchTime = undefined;
        }
      },
    });
    this.prefetched = new Gauge({
      name: 'flower_worker_prefetched_tasks',
      help: 'Number of tasks of given type prefetched at a worker',
      labelNames: ['worker', 'task'],
      registers,
      collect() {
        for (const series of pending.series.values())
          if (series.prefetchedSeen) this.set(series.labels, series.prefetched);
      },
    });
    // the two worker gauges are computed at scrape time from the monitor's workers, so a worker's
    // state (see workerState) is never stale and a purged worker's series go with it
    this.workerOnline = new Gauge({
      name: 'flower_worker_online',
      help: 'Worker online status',
      labelNames: ['worker'],
      registers,
      collect() {
        this.reset();
        const now = Date.now() / 1000;
        for (const worker of workers()) {
          this.set({ worker: worker.hostname }, workerState(worker, now) === 'online' ? 1 : 0);
        }
      },
    });
    this.executing = new Gauge({
      name: 'flower_worker_number_of_currently_executing_tasks',
      help: 'Number of tasks currently executing at a worker',
      labelNames: ['worker'],
      registers,
      collect() {
        this.reset();
        const now = Date.now() / 1000;
        for (const worker of workers()) {
          const online = workerState(worker, now) === 'online';
          this.set({ worker: worker.hostname }, online ? worker.active : 0);
        }
      },
    });
  }

  /**
   * The pending samples of one (worker, task) pair. The monitor looks it up once per task's group
   * of events in a batch, then counts each event with observeTask.
   */
  series(worker: string, task: string): TaskSeries {
    return this.pending.get(worker, task);
  }

  /**
   * Counts one task event. Hot path (every event): it only updates plain objects; the prom-client
   * metrics take the values in their collect(), at scrape time, so label hashing is paid once per
   * series and scrape instead of once per event.
   */
  observeTask(event: TaskEvent, task: TaskRecord): void {
    this.observeTaskEvent(
      this.pending.get(event.hostname, event.name || task.name || ''),
      event.type,
      event.runtime,
      task,
    );
  }

  observeTaskEvent(series: TaskSeries, type: string, runtime: number | undefined, task: TaskRecord): void {
    series.counts.set(type, (series.counts.get(type) ?? 0) + 1);
    const p = this.pending;
    if (runtime !== undefined && (type === 'task-succeeded' || type === 'task-failed')) {
      series.runtimes.push(runtime);
      // bounded memory when nobody scrapes
      if (++p.runtimeCount >= 10_000) p.flushRuntimes(this.runtime);
    }
    if (task.eta) return;
    if (type === 'task-received') {
      series.prefetched++;
      series.prefetchedSeen = true;
      this.prefetchCounted.set(task.uuid, series);
      return;
    }
    const counted = this.prefetchCounted.get(task.uuid);
    if (counted !== undefined) {
      this.prefetchCounted.delete(task.uuid);
      counted.prefetched--;
    }
    if (type === 'task-started' && task.received !== null && task.started !== null) {
      series.prefetchTime = Math.max(0, task.started - task.received);
    } else if ((type === 'task-succeeded' || type === 'task-failed') && task.started !== null) {
      series.prefetchTime = 0;
    }
  }

  /** A worker went offline (shut down or lost): the tasks it had prefetched are no longer waiting there. */
  workerOffline(hostname: string): void {
    for (const [id, series] of this.prefetchCounted) {
      if (series.labels.worker !== hostname) continue;
      this.prefetchCounted.delete(id);
      series.prefetched--;
    }
  }

  /** Drops every series of a purged worker (prom-client removes by the full label set only). */
  async forgetWorker(hostname: string): Promise<void> {
    this.pending.forget(hostname);
    this.workerOffline(hostname);
    const metrics = [this.events, this.runtime, this.prefetchTime, this.prefetched];
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

/** What happened to one (worker, task) pair since the last scrape. */
export interface TaskSeries {
  labels: Labels2;
  /** event type -> events since the last scrape */
  counts: Map<string, number>;
  /** runtimes not yet observed by the histogram */
  runtimes: number[];
  /** tasks received, not yet started (absolute) */
  prefetched: number;
  prefetchedSeen: boolean;
  /** the last task's prefetch time since the last scrape */
  prefetchTime: number | undefined;
}

/** Values gathered between scrapes, handed to the prom-client metrics in their collect(). */
class PendingSamples {
  readonly series = new Map<string, TaskSeries>();
  runtimeCount = 0;

  get(worker: string, task: string): TaskSeries {
    const key = `${worker}\u0000${task}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { worker, task },
        counts: new Map(),
        runtimes: [],
        prefetched: 0,
        prefetchedSeen: false,
        prefetchTime: undefined,
      };
      this.series.set(key, series);
    }
    return series;
  }

  flushRuntimes(histogram: Histogram<'worker' | 'task'>): void {
    for (const series of this.series.values()) {
      if (series.runtimes.length === 0) continue;
      const child = histogram.labels(series.labels);
      for (const v of series.runtimes) child.observe(v);
      series.runtimes = [];
    }
    this.runtimeCount = 0;
  }

  forget(worker: string): void {
    for (const [key, series] of this.series) if (series.labels.worker === worker) this.series.delete(key);
  }
}
