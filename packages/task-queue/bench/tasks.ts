/**
 * pnpm bench:tasks — no-op tasks through a worker, monitored (task events on + the task-monitor
 * process consuming them) versus unmonitored (events off, no monitor), in one run, rounds
 * interleaved so both see the same machine; medians compared (the best rounds and the CPU per task
 * of worker, Redis and monitor are printed too). Last line:
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

const TASKS_PER_ROUND = Number(process.env.BENCH_TASKS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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

/** A child process's CPU time in ms from /proc (Linux); 0 where /proc is missing. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

async function round(redisUrl: string, monitored: boolean): Promise<RoundResult> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const client = new TaskClient({ connection: redis, prefix, tasks: TASKS });
  for (let i = 0; i < TASKS_PER_ROUND; i += 1000) {
    await client.applyBulk(
      'noop',
      Array.from({ length: Math.min(1000, TASKS_PER_ROUND - i) }, () => ({})),
    );
  }
  let monitor: ServiceProcess | null = null;
  if (monitored) {
    const port = await freePort();
    monitor = await startService({
      entry: monitorEntry,
      port,
      healthPath: '/healthcheck',
      env: {
        TASK_MONITOR_REDIS_URL: redisUrl,
        TASK_MONITOR_KEY_PREFIX: prefix,
        TASK_MONITOR_HOST: '127.0.0.1',
        TASK_MONITOR_PORT: String(port),
        TASK_MONITOR_LOG_LEVEL: 'warn',
        ...(process.env.BENCH_READ_PAUSE_MS
          ? { TASK_MONITOR_EVENT_READ_PAUSE_MS: process.env.BENCH_READ_PAUSE_MS }
          : {}),
      },
    });
  }
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
    monitor: monitor ? processCpuMs(monitor.pid) : 0,
  };
  const started = process.hrtime.bigint();
  await worker.start();
  while (worker.info().processed < TASKS_PER_ROUND) await new Promise((r) => setTimeout(r, 5));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const workerCpu = process.cpuUsage(cpuBefore.worker);
  const cpuMs = {
    worker: (workerCpu.user + workerCpu.system) / 1000,
    redis: (await redisCpuMs(redis)) - cpuBefore.redis,
    monitor: monitor ? processCpuMs(monitor.pid) - cpuBefore.monitor : 0,
  };
  await worker.stop();
  let lagMs: number | null = null;
  if (monitor) {
    // how long the monitor needs after the last task to have consumed every event
    const keys = taskKeys(prefix);
    const last = (await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1))[0]?.[0];
    const until = Date.now();
    while (last && (await redis.get(keys.monitorCursor)) !== last) {
      if (Date.now() - until > 60_000) throw new Error('the monitor did not catch up within 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    lagMs = Date.now() - until;
    await monitor.stop();
  }
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
  try {
    console.log(
      `machine: ${cpus().length} cores, Node ${process.version}; ${TASKS_PER_ROUND} no-op tasks per round, ` +
        `${ROUNDS} rounds each, worker concurrency ${CONCURRENCY}, prefetch multiplier 4`,
    );
    await round(server.url, false); // warm-up (JIT, Redis allocator), not counted
    const monitored: number[] = [];
    const unmonitored: number[] = [];
    const cpuPerTask = { on: [] as number[], off: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      // alternate which goes first so drift (thermal, other load) hits both alike
      for (const on of i % 2 === 0 ? [false, true] : [true, false]) {
        const { rate, lagMs, cpuMs } = await round(server.url, on);
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
    await server.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
