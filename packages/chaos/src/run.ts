import { accountEvents, type EventAccount, historyKept, NO_ACCOUNT, replicaDifferences } from './accounting';
import {
  AlertWatch,
  attribute,
  delivered,
  type ExpectedAlert,
  type Notification,
  readNotifications,
  sameAlert,
} from './alert-watch';
import { type Fault, type FaultTimes, faultCatalogue, shuffled } from './faults';
import { type MemoryGrowth, MemorySampler } from './memory';
import type { StackHandle } from './stack-handle';
import { TaskLoad, type TaskSummary } from './task-load';

export interface ChaosOptions {
  stack: StackHandle;
  /** Length of the fault phase; the fault list is run once, then again while time is left. */
  durationSec: number;
  seed: number;
  /** Rule and Alertmanager durations are divided by this for the run (1: as shipped). */
  timeScale: number;
  log(line: string): void;
}

export interface FaultResult {
  fault: string;
  alert: string;
  times: FaultTimes | { error: string };
  forSeconds: number;
  pendingAfterSec?: number;
  firingAfterSec?: number;
  resolvedAfterRecoverySec?: number;
  deliveredFiring: boolean;
  deliveredResolved: boolean;
  ok: boolean;
}

export interface ChaosReport {
  faults: FaultResult[];
  events: EventAccount;
  tasks: TaskSummary;
  replica: string[];
  history: { ok: boolean; detail: string } | undefined;
  memory: MemoryGrowth[];
  ok: boolean;
  summary: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What an interrupted run must put back (the stack's rules and Alertmanager timers). */
export const RESTORE = new Set<() => Promise<void>>();

const faultWindow = (r: { expected: ExpectedAlert; times: FaultTimes | { error: string } }) => ({
  expected: r.expected,
  injectedAt: 'error' in r.times ? undefined : r.times.injectedAt,
});

/** Components whose memory is followed (their own process). */
const SAMPLED = [
  'ingestion',
  'event-producer',
  'pg-exporter',
  'kafka-exporter',
  'task-worker',
  'task-monitor',
  'training-snapshot',
  'postgres-primary',
  'postgres-replica',
  'redis',
  'kafka',
  'prometheus',
  'alertmanager',
  'pushgateway',
];

async function waitFine(stack: StackHandle, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { fine, problems } = await stack.componentsFine();
    if (fine || Date.now() > deadline) return problems;
    await sleep(1_000);
  }
}

/**
 * One episode per fault, end to end: before a fault, the previous fault of the same alert has had
 * its episode (seen firing), that episode has resolved, and the receiver has its resolved
 * notification. Without the first condition two faults close together (the previous one's alert
 * not yet evaluated, or Prometheus restarting in between) share one episode. Without the last,
 * Alertmanager reports an alert that fires again before its resolution went out (within the group
 * interval) as one incident, still firing: the receiver would never hear of the second fault on its
 * own. Bounded by the rule's `for:`, the restart alerts' 10-minute window and Alertmanager's
 * 5-minute group interval, scaled, plus a margin; past that the run says so and goes on.
 */
export async function previousReported(
  stack: StackHandle,
  watch: AlertWatch,
  results: { fault: Fault; expected: ExpectedAlert; times: FaultTimes | { error: string } }[],
  expected: ExpectedAlert,
  o: Pick<ChaosOptions, 'timeScale' | 'log'>,
): Promise<void> {
  const last = results.findLastIndex((r) => !('error' in r.times) && sameAlert(r.expected, expected));
  const forMs = (results[last]?.fault.forSeconds ?? 0) * 1_000;
  const deadline = Date.now() + (forMs + 20 * 60_000) / o.timeScale + 120_000;
  for (;;) {
    let waiting: string | undefined;
    if (watch.active(expected)) waiting = 'is still active';
    else if (last >= 0) {
      const episode = attribute(watch, results.map(faultWindow))[last];
      if (!episode) waiting = 'of the previous fault has not fired yet';
      else if (episode.resolvedAt === undefined) waiting = 'has not resolved';
      else if (!delivered(readNotifications(await stack.alertSinkLog()), expected, episode).resolved)
        waiting = 'has no resolved notification at the receiver yet';
    }
    if (waiting === undefined) return;
    if (Date.now() > deadline) {
      o.log(`  (${expected.name} ${waiting}; going on)`);
      return;
    }
    await sleep(2_000);
  }
}

/** Each fault's alert episode: pending, firing and resolved times, and what the receiver got. */
function faultResults(
  notifications: Notification[],
  watch: AlertWatch,
  results: { fault: Fault; expected: ExpectedAlert; times: FaultTimes | { error: string } }[],
  timeScale: number,
): FaultResult[] {
  const episodes = attribute(watch, results.map(faultWindow));
  const faults: FaultResult[] = results.map(({ fault, expected, times }, i) => {
    const base = {
      fault: fault.name,
      alert: expected.name,
      times,
      forSeconds: fault.forSeconds / timeScale,
      deliveredFiring: false,
      deliveredResolved: false,
      ok: false,
    };
    if ('error' in times) return base;
    const episode = episodes[i];
    if (!episode) return base;
    const got = delivered(notifications, expected, episode);
    const sec = (ms: number) => Math.round(ms / 100) / 10;
    return {
      ...base,
      ...(episode.pendingAt !== undefined
        ? { pendingAfterSec: sec(episode.pendingAt - times.injectedAt) }
        : {}),
      ...(episode.firingAt !== undefined ? { firingAfterSec: sec(episode.firingAt - times.injectedAt) } : {}),
      ...(episode.resolvedAt !== undefined
        ? { resolvedAfterRecoverySec: sec(episode.resolvedAt - times.recoveredAt) }
        : {}),
      deliveredFiring: got.firing,
      deliveredResolved: got.resolved,
      ok: episode.resolvedAt !== undefined && got.firing && got.resolved,
    };
  });
  return faults;
}

/** One line per fault, as the run prints it. */
export function faultLine(f: FaultResult): string {
  const t = (v: number | undefined) => (v === undefined ? '-' : `${v} s`);
  return 'error' in f.times
    ? `  ${f.fault}: NOT INJECTED (${f.times.error})`
    : `  ${f.ok ? 'ok  ' : 'FAIL'} ${f.fault}: ${f.alert} for ${f.forSeconds} s, pending ${t(f.pendingAfterSec)}, firing ${t(f.firingAfterSec)} after the fault, resolved ${t(f.resolvedAfterRecoverySec)} after recovery, receiver got firing ${f.deliveredFiring ? 'yes' : 'NO'} / resolved ${f.deliveredResolved ? 'yes' : 'NO'}${f.times.note ? ` (${f.times.note})` : ''}`;
}

/**
 * The fault-and-load run against a running native stack: load (the producer's events, the run's
 * own tasks), the faults in a seeded order, each one's alert followed from pending to resolved and
 * to the receiver, then the accounting: events, tasks, replica, Prometheus' history, memory.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const stack = o.stack;
  for (const needed of [
    'prometheus',
    'alertmanager',
    'alert-sink',
    'kafka-exporter',
    'pg-exporter',
    'task-monitor',
  ])
    if (!stack.has(needed))
      throw new Error(`the stack runs no ${needed}: the fault run needs the whole topology`);
  const prometheusUrl = stack.url('prometheus');
  const scrapeIntervalSec = await stack.applyTimeScale(o.timeScale);
  const startedAt = Date.now();
  // the stack's own rules and Alertmanager timers back, whatever happens (once)
  let restored = o.timeScale === 1;
  const restore = async () => {
    if (restored) return;
    restored = true;
    await stack.applyTimeScale(1);
  };
  RESTORE.add(restore);
  o.log(
    `${stack.mode} stack; rules and Alertmanager timers divided by ${o.timeScale}; scrape interval ${scrapeIntervalSec} s; seed ${o.seed}`,
  );

  const watch = new AlertWatch(prometheusUrl);
  const tasks = new TaskLoad(stack.url('task-monitor'), stack.taskMonitorHeaders());
  const warmupMs = Math.min(60_000, Math.max(15_000, (o.durationSec * 1000) / 10));
  const memory = new MemorySampler(
    stack,
    SAMPLED.filter((c) => stack.has(c)),
    warmupMs,
  );
  watch.start();
  memory.start(2_000);
  tasks.start(500);
  const results: { fault: Fault; expected: ExpectedAlert; times: FaultTimes | { error: string } }[] = [];
  let prometheusRestartedAt: number | undefined;
  try {
    o.log(`warming up for ${Math.round(warmupMs / 1000)} s`);
    await sleep(warmupMs);
    const ctx = { stack, tasks, timeScale: o.timeScale, log: o.log };
    const phaseEnd = Date.now() + o.durationSec * 1000;
    for (let cycle = 0; cycle === 0 || Date.now() < phaseEnd; cycle++) {
      for (const fault of shuffled(faultCatalogue(), o.seed + cycle)) {
        if (cycle > 0 && Date.now() >= phaseEnd) break;
        const expected = fault.alert(stack);
        await previousReported(stack, watch, results, expected, o);
        const problems = await waitFine(stack, 120_000);
        if (problems.length > 0)
          o.log(`  (not every component is fine before the next fault: ${problems.join('; ')})`);
        o.log(`fault: ${fault.name} (${new Date().toISOString()})`);
        let times: FaultTimes | { error: string };
        try {
          times = await fault.run(ctx);
          if (fault.component === 'prometheus') prometheusRestartedAt = times.injectedAt;
        } catch (error) {
          times = { error: (error as Error).message };
          o.log(`  could not inject: ${times.error}`);
        }
        results.push({ fault, expected, times });
        await sleep(3_000);
      }
    }
    // every alert resolved and its resolved notification sent (the restart alerts' 10-minute window,
    // Alertmanager's group interval), bounded
    const settleBy = Date.now() + (15 * 60_000) / o.timeScale + 120_000;
    o.log('faults done: waiting for every alert to resolve and reach the receiver');
    for (;;) {
      const notifications = readNotifications(await stack.alertSinkLog());
      const episodes = attribute(watch, results.map(faultWindow));
      const pending = results.filter((r, i) => {
        if ('error' in r.times) return false;
        const episode = episodes[i];
        return !episode?.resolvedAt || !delivered(notifications, r.expected, episode).resolved;
      });
      if (pending.length === 0 || Date.now() > settleBy) break;
      await sleep(2_000);
    }
  } catch (error) {
    await restore();
    throw error;
  } finally {
    tasks.stop();
    watch.stop();
    await memory.stop();
  }

  // the alerts' verdict is printed before the accounting, so a failing accounting cannot hide it
  o.log('alerts:');
  for (const f of faultResults(readNotifications(await stack.alertSinkLog()), watch, results, o.timeScale))
    o.log(faultLine(f));

  let events: EventAccount;
  let replica: string[];
  let taskSummary: TaskSummary;
  let history: { ok: boolean; detail: string } | undefined;
  try {
    o.log('accounting: stopping the producer, waiting for ingestion to catch up');
    await stack.stop('event-producer');
    try {
      events = await accountEvents(stack, 180_000).catch(
        (error: Error): EventAccount => ({ ...NO_ACCOUNT, error: error.message }),
      );
      // with the producer stopped and ingestion caught up, nothing writes to the primary
      replica = await replicaDifferences(stack, 60_000);
    } finally {
      await stack.start('event-producer');
    }
    taskSummary = await tasks.settle(180_000);
    history =
      prometheusRestartedAt === undefined
        ? undefined
        : await historyKept(prometheusUrl, startedAt, prometheusRestartedAt, scrapeIntervalSec);
  } finally {
    await restore();
    RESTORE.delete(restore);
  }

  const faults = faultResults(readNotifications(await stack.alertSinkLog()), watch, results, o.timeScale);
  const memoryGrowth = memory.growth();
  const alerted = faults.filter((f) => f.ok).length;
  const maxGrowth = Math.max(0, ...memoryGrowth.map((m) => m.growthMb));
  const lost = events.lost + taskSummary.unfinished.length;
  const duplicated = events.duplicated;
  const ok =
    alerted === faults.length &&
    lost === 0 &&
    duplicated === 0 &&
    events.behind.length === 0 &&
    events.error === undefined &&
    taskSummary.wrong.length === 0 &&
    replica.length === 0 &&
    (history?.ok ?? true);
  return {
    faults,
    events,
    tasks: taskSummary,
    replica,
    history,
    memory: memoryGrowth,
    ok,
    summary: `chaos: ${faults.length} faults, ${alerted}/${faults.length} alerted and resolved, ${events.error ? 'lost ? (events not accounted)' : `lost ${lost}`}, duplicated ${events.error ? '?' : duplicated}, max RSS growth ${maxGrowth.toFixed(1)} MB`,
  };
}
