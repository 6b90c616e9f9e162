import * as units from '@grafana/grafana-foundation-sdk/units';
import type { DashboardDefinition } from '../definition';
import { baseDashboard, labelVariable, row, stat, table, timeseries } from '../panels';

const UID = 'reelwatch-task-queue';
// flower_* are Flower's own names and labels (task-monitor), so Flower's dashboard works too;
// reelwatch_tasks_* are what Flower does not export: queue lengths and wait time.
const Q = 'queue=~"$queue"';

function build() {
  return baseDashboard(
    'Reelwatch / Task queue',
    UID,
    'BullMQ workers and queues as the Flower-style task-monitor sees them: workers online, task events, runtimes, failures, queue backlog and wait time.',
  )
    .withVariable(labelVariable('queue', 'Queue', 'label_values(reelwatch_tasks_queue_jobs, queue)'))
    .withRow(row('Workers'))
    .withPanel(
      stat({
        title: 'Workers online',
        description:
          'Workers whose heartbeat task-monitor received recently (alert TaskWorkerOffline when one stops).',
        unit: units.Short,
        queries: [{ expr: 'sum(flower_worker_online)', legend: 'online' }],
        span: 6,
        height: 8,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Executing tasks per worker',
        description: 'Tasks each worker runs right now (at most its pool concurrency).',
        unit: units.Short,
        span: 9,
        queries: [
          {
            expr: 'sum by (worker) (flower_worker_number_of_currently_executing_tasks)',
            legend: '{{worker}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Prefetched tasks per worker',
        description: 'Tasks a worker has taken from the queue but not started yet.',
        unit: units.Short,
        span: 9,
        queries: [{ expr: 'sum by (worker) (flower_worker_prefetched_tasks)', legend: '{{worker}}' }],
      }),
    )
    .withRow(row('Tasks'))
    .withPanel(
      timeseries({
        title: 'Task events',
        description:
          'Task events per second by type (task-received, task-started, task-succeeded, task-failed, task-retried, ...).',
        unit: units.OpsPerSecond,
        queries: [
          { expr: 'sum by (type) (rate(flower_events_total[$__rate_interval]))', legend: '{{type}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Failure ratio by task',
        description:
          'Share of finished tasks that failed, per task name, over 10 minutes (alert TaskFailureRatioHigh at 10%).',
        unit: units.PercentUnit,
        max: 1,
        queries: [
          {
            // `or ... * 0`: a task that never failed shows 0, not a gap.
            expr: '(sum by (task) (rate(flower_events_total{type="task-failed"}[10m])) or sum by (task) (rate(flower_events_total{type=~"task-succeeded|task-failed"}[10m])) * 0) / sum by (task) (rate(flower_events_total{type=~"task-succeeded|task-failed"}[10m]))',
            legend: '{{task}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Task runtime p95',
        description: '95th percentile of task run time (started to finished), per task name.',
        unit: units.Seconds,
        queries: [
          {
            expr: 'histogram_quantile(0.95, sum by (task, le) (rate(flower_task_runtime_seconds_bucket[$__rate_interval])))',
            legend: '{{task}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Prefetch time',
        description:
          'Time the last task of each name waited between being received by a worker and starting.',
        unit: units.Seconds,
        queries: [{ expr: 'max by (task) (flower_task_prefetch_time_seconds)', legend: '{{task}}' }],
      }),
    )
    .withRow(row('Queues'))
    .withPanel(
      timeseries({
        title: 'Jobs by state',
        description:
          'Jobs in each queue by BullMQ state (waiting, active, delayed, failed...) (alert TaskBacklogGrowing).',
        unit: units.Short,
        queries: [
          { expr: `sum by (queue, state) (reelwatch_tasks_queue_jobs{${Q}})`, legend: '{{queue}} {{state}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Oldest waiting job',
        description:
          'Age of the oldest waiting job per queue: how long a new job waits at worst (alert TaskWaitTimeHigh at 5 minutes).',
        unit: units.Seconds,
        queries: [
          {
            expr: `max by (queue) (reelwatch_tasks_queue_oldest_waiting_age_seconds{${Q}})`,
            legend: '{{queue}}',
          },
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Queues now',
        description: 'Current number of jobs per queue and state.',
        unit: units.Short,
        span: 24,
        queries: [
          { expr: `sum by (queue, state) (reelwatch_tasks_queue_jobs{${Q}})`, legend: '{{queue}} {{state}}' },
        ],
      }),
    )
    .build();
}

export const taskQueue: DashboardDefinition = { uid: UID, folder: 'reelwatch', file: 'task-queue', build };
