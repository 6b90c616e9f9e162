import { Gauge, type Registry } from 'prom-client';
import { WORKER_STATES, type WorkerRecord, workerState } from './worker-state';

/**
 * The workers' lifecycle states, computed at scrape time from the one rule (workerState):
 * `reelwatch_tasks_worker_state{worker,state}` is 1 for the state a worker is in and 0 for the
 * two others (what the TaskWorkerOffline alert reads: `state="lost"`), and
 * `reelwatch_tasks_workers{state}` counts the workers in each state. A purged worker's series
 * disappear with it.
 */
export function registerWorkerMetrics(registry: Registry, workers: () => Iterable<WorkerRecord>): void {
  const registers = [registry];
  new Gauge({
    name: 'reelwatch_tasks_worker_state',
    help: 'Lifecycle state of a worker known to task-monitor: 1 for its state (online, shutdown = said goodbye, lost = heartbeats stopped without one), 0 for the others',
    labelNames: ['worker', 'state'],
    registers,
    collect() {
      this.reset();
      const now = Date.now() / 1000;
      for (const worker of workers()) {
        const current = workerState(worker, now);
        for (const state of WORKER_STATES) {
          this.set({ worker: worker.hostname, state }, state === current ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'reelwatch_tasks_workers',
    help: 'Workers known to task-monitor by lifecycle state (online, shutdown, lost)',
    labelNames: ['state'],
    registers,
    collect() {
      const now = Date.now() / 1000;
      const counts = new Map<string, number>(WORKER_STATES.map((s) => [s, 0]));
      for (const worker of workers()) {
        const state = workerState(worker, now);
        counts.set(state, (counts.get(state) ?? 0) + 1);
      }
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
}
