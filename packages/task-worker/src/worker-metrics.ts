import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The worker's own metrics (port 9466); the monitor exposes Flower's from the event stream. */
export class WorkerMetrics {
  readonly tasks: Counter<'task' | 'outcome'>;
  readonly runtime: Histogram<'task'>;
  readonly waitTime: Histogram<'task'>;
  readonly concurrency: Gauge;
  readonly active: Gauge;
  readonly reserved: Gauge;
  readonly consumedQueues: Gauge<'queue'>;
  readonly eventsDropped: Counter;
  readonly controlCommands: Counter<'command' | 'outcome'>;

  constructor(registry: Registry, state: { concurrency(): number; active(): number; reserved(): number }) {
    const registers = [registry];
    this.tasks = new Counter({
      name: 'reelwatch_task_worker_tasks_total',
      help: 'Tasks finished by this worker, by outcome (succeeded, failed, retried, revoked)',
      labelNames: ['task', 'outcome'],
      registers,
    });
    this.runtime = new Histogram({
      name: 'reelwatch_task_worker_task_runtime_seconds',
      help: 'Time a task ran, from start to its result',
      labelNames: ['task'],
      registers,
    });
    this.waitTime = new Histogram({
      name: 'reelwatch_task_worker_task_wait_seconds',
      help: 'Time from enqueue (or its ETA) to start',
      labelNames: ['task'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
      registers,
    });
    this.concurrency = new Gauge({
      name: 'reelwatch_task_worker_concurrency',
      help: 'Pool size: tasks this worker runs at once',
      registers,
      collect() {
        this.set(state.concurrency());
      },
    });
    this.active = new Gauge({
      name: 'reelwatch_task_worker_active_tasks',
      help: 'Tasks executing now',
      registers,
      collect() {
        this.set(state.active());
      },
    });
    this.reserved = new Gauge({
      name: 'reelwatch_task_worker_reserved_tasks',
      help: 'Tasks taken from a queue, waiting for a pool slot or their rate limit',
      registers,
      collect() {
        this.set(state.reserved());
      },
    });
    this.consumedQueues = new Gauge({
      name: 'reelwatch_task_worker_consumed_queues',
      help: '1 for each queue this worker consumes',
      labelNames: ['queue'],
      registers,
    });
    this.eventsDropped = new Counter({
      name: 'reelwatch_task_worker_events_dropped_total',
      help: 'Task events that could not be written to the event stream',
      registers,
    });
    this.controlCommands = new Counter({
      name: 'reelwatch_task_worker_control_commands_total',
      help: 'Remote-control commands handled, by outcome (ok, error)',
      labelNames: ['command', 'outcome'],
      registers,
    });
  }
}
