import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { RedisServer } from '@reelwatch/testkit';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { TaskClient } from '../src/client';
import { TaskControl } from '../src/control-client';
import { decodeStreamEntry, type ReelwatchTaskEvent, type TaskKeys, taskKeys } from '../src/protocol';
import { type AnyTaskDefinition, defineTask } from '../src/task';
import { TASKS } from '../src/tasks';
import { TaskWorker, type TaskWorkerOptions } from '../src/worker';

/** Gates a test opens to let `test.gate` tasks finish; records what ran at once. */
export class Gates {
  readonly started: string[] = [];
  running = 0;
  maxRunning = 0;
  readonly aborted: string[] = [];
  private readonly open = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();

  release(gate: string): void {
    this.open.add(gate);
    for (const w of this.waiters.get(gate) ?? []) w();
    this.waiters.delete(gate);
  }

  wait(gate: string, signal: AbortSignal): Promise<void> {
    if (this.open.has(gate)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(gate) ?? [];
      list.push(resolve);
      this.waiters.set(gate, list);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
}

export function testTasks(gates: Gates): AnyTaskDefinition[] {
  const gate = defineTask<{ gate: string }, string>({
    name: 'test.gate',
    queue: 'default',
    description: 'waits until the test opens its gate',
    attempts: 1,
    backoff: { type: 'fixed', delay: 0 },
    parseArgs: (raw) => raw as { gate: string },
    async run({ gate }, { signal, taskId }) {
      gates.started.push(taskId);
      gates.running++;
      gates.maxRunning = Math.max(gates.maxRunning, gates.running);
      try {
        await gates.wait(gate, signal);
        return `opened ${gate}`;
      } catch (err) {
        gates.aborted.push(taskId);
        throw err;
      } finally {
        gates.running--;
      }
    },
  });
  const flaky = defineTask<{ failures: number }, string>({
    name: 'test.flaky',
    queue: 'default',
    description: 'fails its first attempts',
    attempts: 3,
    backoff: { type: 'fixed', delay: 50 },
    parseArgs: (raw) => raw as { failures: number },
    async run({ failures }, { attempt }) {
      if (attempt <= failures) throw new Error(`attempt ${attempt} failed`);
      return `succeeded on attempt ${attempt}`;
    },
  });
  return [...TASKS, gate, flaky];
}

export interface Harness {
  keys: TaskKeys;
  redis: Redis;
  client: TaskClient;
  control: TaskControl;
  gates: Gates;
  tasks: AnyTaskDefinition[];
  startWorker(overrides?: Partial<TaskWorkerOptions>): Promise<TaskWorker>;
  events(): Promise<ReelwatchTaskEvent[]>;
  close(): Promise<void>;
}

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A fresh key prefix on a shared Redis, with a client, a control client and in-process workers. */
export async function createHarness(server: RedisServer): Promise<Harness> {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const keys = taskKeys(prefix);
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const gates = new Gates();
  const tasks = testTasks(gates);
  const client = new TaskClient({ connection: redis, prefix, tasks });
  const control = new TaskControl({ redis, keys, client, timeoutMs: 2000 });
  const workers: TaskWorker[] = [];
  return {
    keys,
    redis,
    client,
    control,
    gates,
    tasks,
    async startWorker(overrides = {}) {
      const worker = new TaskWorker({
        redisUrl: server.url,
        prefix,
        name: `worker@test-${workers.length + 1}`,
        host: 'test',
        pid: process.pid,
        queues: ['default'],
        concurrency: 2,
        prefetchMultiplier: 1,
        heartbeatIntervalMs: 500,
        events: true,
        eventStreamMaxLen: 10_000,
        shutdownTimeoutMs: 5000,
        tasks,
        deps: {
          replica: () => {
            throw new Error('no replica in this test');
          },
          exportDir: tmpdir(),
        },
        logger: silentLogger,
        registry: new Registry(),
        ...overrides,
      });
      workers.push(worker);
      await worker.start();
      return worker;
    },
    async events() {
      const entries = await redis.xrange(keys.events, '-', '+');
      return entries.flatMap(([, fields]) => decodeStreamEntry(fields));
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop('test over')));
      await client.close();
      redis.disconnect();
    },
  };
}
