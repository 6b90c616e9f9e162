/**
 * The monitor's own cost, without the noise of a shared machine: writes the events of N no-op
 * tasks to a stream as a worker does (EventPublisher, received/started/succeeded per task), then
 * times (CPU) an in-process TaskMonitor consuming them and writing its history. Run with
 * `node -r @swc-node/register packages/task-monitor/bench/replay.ts` (BENCH_TASKS, BENCH_ROUNDS).
 */
import { randomUUID } from 'node:crypto';
import { EventPublisher, TASKS, taskKeys } from '@reelwatch/task-worker';
import { startRedis } from '@reelwatch/testkit';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { TaskMonitor } from '../src/monitor';

const TASKS_PER_ROUND = Number(process.env.BENCH_TASKS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** Redis's own CPU time (INFO cpu), in µs. */
async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

async function main(): Promise<void> {
  const server = await startRedis();
  const logger = pino({ level: 'warn' });
  const results: number[] = [];
  const publishing: number[] = [];
  const redisCosts: number[] = [];
  try {
    for (let r = 0; r < ROUNDS + 1; r++) {
      const prefix = `replay-${randomUUID().slice(0, 8)}`;
      const keys = taskKeys(prefix);
      const redis = new Redis(server.url);
      const events = new EventPublisher({
        redis,
        stream: keys.events,
        hostname: 'worker@bench',
        maxLen: 100_000,
        logger,
      });
      const publishCpu = process.cpuUsage();
      const t0 = Math.floor(Date.now()) / 1000;
      for (let i = 0; i < TASKS_PER_ROUND; i++) {
        const id = randomUUID();
        const t = (Math.round(t0 * 1000) + Math.floor(i / 20)) / 1000; // ms resolution, as a worker's
        events.received(id, 'noop', t, 'default', '{}', 0, null);
        events.started(id, 'noop', t + 0.001, 0.001, 0.5);
        events.succeeded(id, 'noop', t + 0.002, 0.00001, 'null');
        if (i % 300 === 0) await events.flush();
      }
      await events.flush();
      const published = process.cpuUsage(publishCpu);
      const last = (await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1))[0]![0];
      const monitor = new TaskMonitor({
        redisUrl: server.url,
        prefix,
        maxTasks: 10_000,
        purgeOfflineWorkersSeconds: 3600,
        queues: ['default'],
        controlTimeoutMs: 1000,
        readPauseMs: 0,
        tasks: TASKS,
        logger,
        registry: new Registry(),
      });
      const cpu = process.cpuUsage();
      const redisBefore = await redisCpuUs(redis);
      await monitor.start();
      while ((await redis.get(keys.monitorCursor)) !== last) await new Promise((res) => setTimeout(res, 2));
      const used = process.cpuUsage(cpu);
      const redisUs = ((await redisCpuUs(redis)) - redisBefore) / TASKS_PER_ROUND;
      await monitor.stop();
      redis.disconnect();
      const us = (used.user + used.system) / TASKS_PER_ROUND;
      const publishUs = (published.user + published.system) / TASKS_PER_ROUND;
      if (r > 0) {
        // the first round warms up the JIT
        results.push(us);
        redisCosts.push(redisUs);
        publishing.push(publishUs);
      }
      console.log(
        `round ${r}${r === 0 ? ' (warm-up)' : ''}: monitor CPU ${us.toFixed(1)} µs per task, Redis ${redisUs.toFixed(1)}; ` +
          `publishing the events ${publishUs.toFixed(1)} µs per task`,
      );
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(
      `monitor replay: ${median(results).toFixed(1)} µs CPU per task (median), Redis ${median(redisCosts).toFixed(1)} µs; ` +
        `publishing (worker side) ${median(publishing).toFixed(1)} µs`,
    );
  } finally {
    await server.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
