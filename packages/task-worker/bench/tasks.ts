/**
 * pnpm bench:tasks — no-op tasks through a worker, monitored (task events on + the task-monitor
 * process consuming them) versus unmonitored (events off, no monitor), in one run, rounds
 * interleaved so both see the same machine; medians compared (the best rounds and the CPU per task
 * of worker, Redis and monitor are printed too). One monitor process serves the whole run, as one
 * long-lived monitor does in production (a fresh process per 1-second round would charge its JIT
 * warm-up, twice its steady cost, to every round); it is paused (SIGSTOP) during unmonitored rounds
 * so the baseline runs with no monitor at all. Both modes get a warm-up round. Last line:
 *   tasks: <A> tasks/s monitored, <B> unmonitored, ratio <A/B>
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, type ServiceProcess, startRedis, startService } from '@reelwatch/testkit';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { TaskClient } from '../src/client';
import { taskKeys } from '../src/protocol';
import { TASKS } from '../src/tasks';
import { TaskWorker } from '../src/worker';

const TASKS_PER_ROUND = Number(process.env.BENCH_TASKS ?? 100_000);
// even, so each mode runs first in as many pairs as it runs second: rounds alternate between slower
// and faster ones on this machine (seen as pair ratios of 1.4, 0.8, 1.3, 0.7, 1.4 in alternating order),
// and an odd count let one mode have more of the faster ones
const ROUNDS = Math.ceil(Number(process.env.BENCH_ROUNDS ?? 4) / 2) * 2;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const monitorEntry = path.resolve(__dirname, '../../task-monitor/dist/main.js');

interface RoundResult {
  rate: number;
  lagMs: number | null;
  /** CPU milliseconds spent by the worker (this process), Redis and the monitor during the round */
  cpuMs: { worker: number; redis: number; monitor: number };
}

/** Redis's own CPU time (INFO cpu), in ms. */
async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

/** Calls per Redis command so far (INFO commandstats). */
async function redisCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls.set(m[1]!, Number(m[2]));
  return calls;
}

/** A child process's CPU time in ms from /proc (Linux); 0 where /proc is missing. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

interface Monitor {
  process: ServiceProcess;
  prefix: string;
}

async function startMonitor(redisUrl: string, prefix: string): Promise<Monitor> {
  const port = await freePort();
  const process_ = await startService({
    entry: monitorEntry,
    port,
    healthPath: '/healthcheck',
    env: {
      TASK_MONITOR_REDIS_URL: redisUrl,
      TASK_MONITOR_KEY_PREFIX: prefix,
      TASK_MONITOR_HOST: '127.0.0.1',
      TASK_MONITOR_PORT: String(port),
      TASK_MONITOR_LOG_LEVEL: 'warn',
      // e.g. BENCH_MONITOR_NODE_OPTIONS='--require <a script starting node:inspector's Profiler>' to
      // profile the monitor (--cpu-prof is not allowed in NODE_OPTIONS)
      ...(process.env.BENCH_MONITOR_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_MONITOR_NODE_OPTIONS }
        : {}),
      ...(process.env.BENCH_READ_PAUSE_MS
        ? { TASK_MONITOR_EVENT_READ_PAUSE_MS: process.env.BENCH_READ_PAUSE_MS }
        : {}),
    },
  });
  process.kill(process_.pid, 'SIGSTOP'); // resumed for monitored rounds only
  return { process: process_, prefix };
}

async function round(redisUrl: string, monitor: Monitor, monitored: boolean): Promise<RoundResult> {
  // every round uses the monitor's prefix (its queue, stream and history); the queue is drained
  // between rounds, and the monitor only runs in monitored ones
  const prefix = monitor.prefix;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const client = new TaskClient({ connection: redis, prefix, tasks: TASKS });
  for (let i = 0; i < TASKS_PER_ROUND; i += 1000) {
    await client.applyBulk(
      'noop',
      Array.from({ length: Math.min(1000, TASKS_PER_ROUND - i) }, () => ({})),
    );
  }
  if (monitored) process.kill(monitor.process.pid, 'SIGCONT');
  const worker = new TaskWorker({
    redisUrl,
    prefix,
    name: `worker@bench-${process.pid}`,
    host: 'bench',
    pid: process.pid,
    queues: ['default'],
    concurrency: CONCURRENCY,
    prefetchMultiplier: 4,
    heartbeatIntervalMs: 2000,
    events: monitored,
    eventStreamMaxLen: 100_000,
    shutdownTimeoutMs: 10_000,
    tasks: TASKS,
    deps: {
      replica: () => {
        throw new Error('no replica in the benchmark');
      },
      exportDir: tmpdir(),
    },
    logger: pino({ level: 'warn' }),
    registry: new Registry(),
  });
  const cpuBefore = {
    worker: process.cpuUsage(),
    redis: await redisCpuMs(redis),
    monitor: monitored ? processCpuMs(monitor.process.pid) : 0,
  };
  const callsBefore = process.env.BENCH_COMMANDSTATS ? await redisCalls(redis) : null;
  const started = process.hrtime.bigint();
  await worker.start();
  while (worker.info().processed < TASKS_PER_ROUND) await new Promise((r) => setTimeout(r, 5));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const workerCpu = process.cpuUsage(cpuBefore.worker);
  await worker.stop();
  let lagMs: number | null = null;
  let monitorMs = 0;
  if (monitored) {
    // how long the monitor needs after the last task to have consumed every event; its CPU is
    // counted until then (all the work this round's events cost it)
    const keys = taskKeys(prefix);
    const last = (await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1))[0]?.[0];
    const until = Date.now();
    while (last && (await redis.get(keys.monitorCursor)) !== last) {
      if (Date.now() - until > 60_000) throw new Error('the monitor did not catch up within 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    lagMs = Date.now() - until;
    monitorMs = processCpuMs(monitor.process.pid) - cpuBefore.monitor;
    process.kill(monitor.process.pid, 'SIGSTOP');
  }
  // Redis's CPU until the monitor caught up, so its history writes are counted too
  const redisMs = (await redisCpuMs(redis)) - cpuBefore.redis;
  if (callsBefore) {
    // BENCH_COMMANDSTATS=1: Redis commands per task in this round
    const after = await redisCalls(redis);
    const perTask = [...after]
      .map(([cmd, n]) => [cmd, (n - (callsBefore.get(cmd) ?? 0)) / TASKS_PER_ROUND] as const)
      .filter(([, n]) => n >= 0.001)
      .sort((a, b) => b[1] - a[1]);
    const total = perTask.reduce((sum, [, n]) => sum + n, 0);
    console.log(
      `  Redis commands per task (${monitored ? 'monitored' : 'unmonitored'}): ${total.toFixed(2)}: ` +
        perTask.map(([cmd, n]) => `${cmd} ${n.toFixed(3)}`).join(', '),
    );
  }
  const cpuMs = { worker: (workerCpu.user + workerCpu.system) / 1000, redis: redisMs, monitor: monitorMs };
  await client.close();
  redis.disconnect();
  return { rate: TASKS_PER_ROUND / seconds, lagMs, cpuMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  if (!existsSync(monitorEntry)) throw new Error(`${monitorEntry} is missing: run \`pnpm -s build\` first`);
  const server = await startRedis();
  let monitor: Monitor | null = null;
  try {
    monitor = await startMonitor(server.url, `bench-${randomUUID().slice(0, 8)}`);
    console.log(
      `machine: ${cpus().length} cores, Node ${process.version}; ${TASKS_PER_ROUND} no-op tasks per round, ` +
        `${ROUNDS} rounds each, worker concurrency ${CONCURRENCY}, prefetch multiplier 4`,
    );
    // warm-up of both (JIT of worker and monitor, Redis allocator), not counted
    await round(server.url, monitor, false);
    await round(server.url, monitor, true);
    const monitored: number[] = [];
    const unmonitored: number[] = [];
    const cpuPerTask = { on: [] as number[], off: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      // alternate which goes first so drift (thermal, other load) hits both alike
      for (const on of i % 2 === 0 ? [false, true] : [true, false]) {
        const { rate, lagMs, cpuMs } = await round(server.url, monitor, on);
        (on ? monitored : unmonitored).push(rate);
        const total = cpuMs.worker + cpuMs.redis + cpuMs.monitor;
        (on ? cpuPerTask.on : cpuPerTask.off).push((total * 1000) / TASKS_PER_ROUND);
        console.log(
          `round ${i + 1} ${on ? 'monitored  ' : 'unmonitored'}: ${rate.toFixed(0)} tasks/s; CPU µs per task: ` +
            `worker ${((cpuMs.worker * 1000) / TASKS_PER_ROUND).toFixed(0)}, redis ${((cpuMs.redis * 1000) / TASKS_PER_ROUND).toFixed(0)}, ` +
            `monitor ${((cpuMs.monitor * 1000) / TASKS_PER_ROUND).toFixed(0)}` +
            (lagMs !== null ? `; monitor caught up ${lagMs} ms after the last task` : ''),
        );
      }
    }
    // CPU is what monitoring costs on a saturated machine, and it is far less sensitive than
    // throughput to other load on a shared one
    const cpuOn = median(cpuPerTask.on);
    const cpuOff = median(cpuPerTask.off);
    console.log(
      `CPU per task (worker + redis + monitor, medians): ${cpuOn.toFixed(0)} µs monitored, ` +
        `${cpuOff.toFixed(0)} µs unmonitored, ratio ${(cpuOff / cpuOn).toFixed(2)}`,
    );
    // each round pair ran back to back: its ratio shows how much of the spread is the machine
    const pairs = monitored.map((on, i) => on / unmonitored[i]!);
    console.log(
      `pair ratios: ${pairs.map((r) => r.toFixed(2)).join(' ')}; median ${median(pairs).toFixed(2)}, ` +
        `min ${Math.min(...pairs).toFixed(2)}, max ${Math.max(...pairs).toFixed(2)}`,
    );
    const bestOn = Math.max(...monitored);
    const bestOff = Math.max(...unmonitored);
    console.log(
      `best rounds: ${bestOn.toFixed(0)} tasks/s monitored, ${bestOff.toFixed(0)} unmonitored, ratio ${(bestOn / bestOff).toFixed(2)}`,
    );
    const a = median(monitored);
    const b = median(unmonitored);
    console.log(
      `tasks: ${a.toFixed(0)} tasks/s monitored, ${b.toFixed(0)} unmonitored, ratio ${(a / b).toFixed(2)}`,
    );
  } finally {
    if (monitor) {
      process.kill(monitor.process.pid, 'SIGCONT');
      await monitor.process.stop();
    }
    await server.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
