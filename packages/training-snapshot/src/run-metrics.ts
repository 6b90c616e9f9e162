import { Counter, Gauge, Pushgateway, Registry } from 'prom-client';
import { SnapshotError } from './errors';

export const PUSH_JOB = 'training_snapshot';
const FAILURES = 'reelwatch_training_snapshot_failures_total';

export interface RunOutcome {
  durationSeconds: number;
  /** rows per exported table; present only when the run succeeded */
  rowsByTable?: Record<string, number>;
  /** end of a successful run */
  succeededAt?: Date;
  /** failures counted before this run plus this run's (0 or 1) */
  failuresTotal: number;
}

/**
 * The registry pushed after a run. A failed run pushes only its duration and the failure count,
 * and pushAdd (HTTP POST) replaces only the metric names pushed, so the last success timestamp
 * and row counts of the previous good run stay in Pushgateway (and the staleness alert can fire).
 */
export function runRegistry(outcome: RunOutcome): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'reelwatch_training_snapshot_duration_seconds',
    help: 'How long the last training snapshot run took, successful or not.',
    registers: [registry],
  }).set(outcome.durationSeconds);
  // A short-lived job cannot keep a counter between runs: the count is carried over from what
  // Pushgateway holds (readPushedFailures) and pushed as a counter sample.
  new Counter({
    name: FAILURES,
    help: 'Failed training snapshot runs, counted across runs via Pushgateway.',
    registers: [registry],
  }).inc(outcome.failuresTotal);
  if (outcome.rowsByTable !== undefined && outcome.succeededAt !== undefined) {
    const rows = new Gauge({
      name: 'reelwatch_training_snapshot_rows',
      help: 'Rows the last successful training snapshot exported, per table.',
      labelNames: ['table'],
      registers: [registry],
    });
    for (const [table, n] of Object.entries(outcome.rowsByTable)) rows.set({ table }, n);
    new Gauge({
      name: 'reelwatch_training_snapshot_last_success_timestamp_seconds',
      help: 'Unix time the last successful training snapshot finished.',
      registers: [registry],
    }).set(outcome.succeededAt.getTime() / 1000);
  }
  return registry;
}

/** The failure count Pushgateway holds for the job (0 when none is pushed yet). */
export async function readPushedFailures(pushgatewayUrl: string, signal?: AbortSignal): Promise<number> {
  const res = await fetch(new URL('/metrics', pushgatewayUrl), {
    signal: signal ?? AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  const text = await res.text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${FAILURES}{`)) continue;
    if (!line.includes(`job="${PUSH_JOB}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return 0;
}

export async function pushRun(pushgatewayUrl: string, registry: Registry): Promise<void> {
  const gateway = new Pushgateway(pushgatewayUrl, { timeout: 5000 }, registry);
  try {
    await gateway.pushAdd({ jobName: PUSH_JOB });
  } catch (cause) {
    throw new SnapshotError('PUSH_FAILED', `push metrics to ${pushgatewayUrl}`, { cause, retryable: true });
  }
}
