import pg from 'pg';
import type { ExpectedAlert } from './alert-watch';
import { type StackHandle, signalAll } from './stack-handle';
import type { TaskLoad } from './task-load';

export interface FaultContext {
  stack: StackHandle;
  tasks: TaskLoad;
  /** Rule durations are divided by this (1 for the shipped rules). */
  timeScale: number;
  log(line: string): void;
}

/** What happened: when the fault began and when the component was given back (or came back). */
export interface FaultTimes {
  injectedAt: number;
  recoveredAt: number;
  note?: string;
}

export interface Fault {
  name: string;
  component: string;
  /** The alert that must go pending/firing, reach the receiver and resolve (labels from the running stack). */
  alert(stack: StackHandle): ExpectedAlert;
  /** The rule's `for:` in seconds, at scale 1 (0: fires at once). */
  forSeconds: number;
  run(ctx: FaultContext): Promise<FaultTimes>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes a hang fault holds stopped right now: an interrupted run lets them go (SIGCONT). */
export const FROZEN = new Set<number>();

/** How long a stop or a hang lasts: long enough for its alert's `for:` and a few evaluations. */
const holdMs = (ctx: FaultContext, secondsAtScale1: number) => (secondsAtScale1 * 1_000) / ctx.timeScale;

async function pid(ctx: FaultContext, name: string): Promise<number> {
  const p = await ctx.stack.pid(name);
  if (p === undefined) throw new Error(`${name} has no running process to fault`);
  return p;
}

/** Waits until the supervisor reports a new process for `name` (a restart after `old`). */
async function restarted(ctx: FaultContext, name: string, old: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await ctx.stack.pid(name).catch(() => undefined);
    if (now !== undefined && now !== old) return;
    if (Date.now() > deadline)
      throw new Error(`${name} did not come back within 60 s after its process ${old} ended`);
    await sleep(100);
  }
}

function killAndWait(name: string, signal: NodeJS.Signals) {
  return async (ctx: FaultContext): Promise<FaultTimes> => {
    const old = await pid(ctx, name);
    const injectedAt = Date.now();
    process.kill(old, signal);
    await restarted(ctx, name, old);
    return { injectedAt, recoveredAt: Date.now() };
  };
}

/** Kills ingestion while one of its transactions is open on the primary (pg_stat_activity). */
async function killIngestionMidTransaction(ctx: FaultContext): Promise<FaultTimes> {
  const client = new pg.Client(await ctx.stack.database('postgres-primary'));
  client.on('error', () => undefined);
  await client.connect();
  try {
    const old = await pid(ctx, 'ingestion');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = 'ingestion' AND xact_start IS NOT NULL AND backend_xid IS NOT NULL`,
      );
      if ((rows[0]?.n ?? 0) > 0) {
        const injectedAt = Date.now();
        process.kill(old, 'SIGKILL');
        await restarted(ctx, 'ingestion', old);
        return { injectedAt, recoveredAt: Date.now(), note: 'killed while a write transaction was open' };
      }
      if (Date.now() > deadline) throw new Error('no ingestion write transaction seen in 30 s');
      await sleep(10);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Kills the task worker while it runs a task (a slow one the run sends for this). */
async function killWorkerMidTask(ctx: FaultContext): Promise<FaultTimes> {
  const id = await ctx.tasks.sendSlow(30_000);
  await ctx.tasks.waitStarted(id, 30_000);
  const old = await pid(ctx, 'task-worker');
  const injectedAt = Date.now();
  process.kill(old, 'SIGKILL');
  await restarted(ctx, 'task-worker', old);
  return { injectedAt, recoveredAt: Date.now(), note: `killed while running task ${id}` };
}

/** SIGSTOP on every process of a component (not its supervisor), then SIGCONT. */
function hang(name: string, secondsAtScale1: number) {
  return async (ctx: FaultContext): Promise<FaultTimes> => {
    const pids = await ctx.stack.processes(name);
    if (pids.length === 0) throw new Error(`${name} has no processes to hang`);
    const injectedAt = Date.now();
    for (const p of pids) FROZEN.add(p);
    signalAll(pids, 'SIGSTOP');
    try {
      await sleep(holdMs(ctx, secondsAtScale1));
    } finally {
      signalAll(pids, 'SIGCONT');
      for (const p of pids) FROZEN.delete(p);
    }
    return { injectedAt, recoveredAt: Date.now() };
  };
}

/** Stopped, held, then started, as a user types it (`pnpm stack stop`, `docker compose stop`). */
function stopThenStart(name: string, secondsAtScale1: number) {
  return async (ctx: FaultContext): Promise<FaultTimes> => {
    const injectedAt = Date.now();
    await ctx.stack.stop(name);
    await sleep(holdMs(ctx, secondsAtScale1));
    await ctx.stack.start(name);
    return { injectedAt, recoveredAt: Date.now() };
  };
}

const restartAlert = (job: string) => (): ExpectedAlert => ({
  name: 'ReelwatchServiceRestarted',
  labels: { job },
});

/**
 * The faults of one run, the list: ingestion killed three times (once mid-transaction),
 * a task worker killed mid-task, the replica hung and stopped, the primary and Redis restarted,
 * Kafka hung, pg-exporter and Prometheus restarted. Each names the alert it must raise.
 */
export function faultCatalogue(): Fault[] {
  const replica = (stack: StackHandle): ExpectedAlert => ({
    name: 'PostgreSQLDown',
    labels: { server: stack.pgServer('postgres-replica') },
  });
  return [
    {
      name: 'kill -9 ingestion',
      component: 'ingestion',
      alert: restartAlert('ingestion'),
      forSeconds: 0,
      run: killAndWait('ingestion', 'SIGKILL'),
    },
    {
      name: 'kill -9 ingestion mid-transaction',
      component: 'ingestion',
      alert: restartAlert('ingestion'),
      forSeconds: 0,
      run: killIngestionMidTransaction,
    },
    {
      name: 'kill -9 ingestion again',
      component: 'ingestion',
      alert: restartAlert('ingestion'),
      forSeconds: 0,
      run: killAndWait('ingestion', 'SIGKILL'),
    },
    {
      name: 'kill -9 task-worker while it runs a task',
      component: 'task-worker',
      alert: restartAlert('task-worker'),
      forSeconds: 0,
      run: killWorkerMidTask,
    },
    {
      name: 'replica hung (SIGSTOP), then resumed',
      component: 'postgres-replica',
      alert: replica,
      forSeconds: 60,
      run: hang('postgres-replica', 150),
    },
    {
      name: 'replica stopped, then started',
      component: 'postgres-replica',
      alert: replica,
      forSeconds: 60,
      run: stopThenStart('postgres-replica', 150),
    },
    {
      name: 'primary restarted',
      component: 'postgres-primary',
      alert: (stack) => ({
        name: 'PostgreSQLRestarted',
        labels: { server: stack.pgServer('postgres-primary') },
      }),
      forSeconds: 0,
      run: killAndWait('postgres-primary', 'SIGINT'),
    },
    {
      name: 'Redis restarted',
      component: 'redis',
      alert: () => ({ name: 'TaskBrokerRestarted', labels: {} }),
      forSeconds: 0,
      run: killAndWait('redis', 'SIGTERM'),
    },
    {
      name: 'Kafka broker hung, then resumed',
      component: 'kafka',
      alert: () => ({ name: 'KafkaClusterUnreachable', labels: {} }),
      forSeconds: 120,
      run: hang('kafka', 300),
    },
    {
      name: 'pg-exporter restarted',
      component: 'pg-exporter',
      alert: restartAlert('pg-exporter'),
      forSeconds: 0,
      run: killAndWait('pg-exporter', 'SIGTERM'),
    },
    {
      name: 'Prometheus restarted',
      component: 'prometheus',
      alert: restartAlert('prometheus'),
      forSeconds: 0,
      run: killAndWait('prometheus', 'SIGTERM'),
    },
  ];
}

/** The same faults in an order drawn from `seed` (mulberry32), so a run can be repeated. */
export function shuffled<T>(items: T[], seed: number): T[] {
  let t = seed >>> 0;
  const random = () => {
    t += 0x6d2b79f5;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
