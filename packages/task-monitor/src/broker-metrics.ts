import type { TaskClient } from '@reelwatch/task-worker';
import type { Redis } from 'ioredis';
import type pino from 'pino';
import { Gauge, type Registry } from 'prom-client';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export interface QueueSnapshot {
  name: string;
  counts: Record<(typeof QUEUE_STATES)[number], number>;
  /** seconds the oldest waiting job has waited; 0 when nothing waits */
  oldestWaitingAgeSeconds: number;
}

export interface BrokerSnapshot {
  up: boolean;
  queues: QueueSnapshot[];
  usedMemoryBytes: number | null;
  connectedClients: number | null;
  /** Redis INFO uptime_in_seconds: drops to 0 when the broker restarts. */
  uptimeSeconds: number | null;
}

export interface BrokerSource {
  redis: Redis;
  prefix: string;
  client: TaskClient;
  queues(): string[];
  logger: pino.Logger;
}

/** Reads queue lengths and Redis health from the broker; one read serves every gauge of a scrape. */
export class BrokerInspector {
  private cached: { at: number; snapshot: Promise<BrokerSnapshot> } | null = null;

  constructor(
    private readonly source: BrokerSource,
    /** a scrape never waits longer than this for the broker (ioredis queues commands while disconnected) */
    private readonly timeoutMs = 2000,
  ) {}

  snapshot(maxAgeMs = 500): Promise<BrokerSnapshot> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > maxAgeMs) {
      this.cached = { at: now, snapshot: this.read() };
    }
    return this.cached.snapshot;
  }

  private async read(): Promise<BrokerSnapshot> {
    const down: BrokerSnapshot = {
      up: false,
      queues: [],
      usedMemoryBytes: null,
      connectedClients: null,
      uptimeSeconds: null,
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<BrokerSnapshot>((resolve) => {
      timer = setTimeout(() => {
        this.source.logger.warn({ timeoutMs: this.timeoutMs }, 'broker inspection timed out');
        resolve(down);
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([this.inspect(down), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async inspect(down: BrokerSnapshot): Promise<BrokerSnapshot> {
    const { redis, prefix, client, logger } = this.source;
    try {
      const queues = await Promise.all(
        this.source.queues().map(async (name): Promise<QueueSnapshot> => {
          const c = await client
            .queue(name)
            .getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
          const oldestId = await redis.lindex(`${prefix}:${name}:wait`, -1);
          const created = oldestId ? await redis.hget(`${prefix}:${name}:${oldestId}`, 'timestamp') : null;
          return {
            name,
            counts: {
              waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
              active: c.active ?? 0,
              delayed: c.delayed ?? 0,
              failed: c.failed ?? 0,
            },
            oldestWaitingAgeSeconds: created ? Math.max(0, (Date.now() - Number(created)) / 1000) : 0,
          };
        }),
      );
      const info = parseInfo(await redis.info());
      return {
        up: true,
        queues,
        usedMemoryBytes: info.used_memory !== undefined ? Number(info.used_memory) : null,
        connectedClients: info.connected_clients !== undefined ? Number(info.connected_clients) : null,
        uptimeSeconds: info.uptime_in_seconds !== undefined ? Number(info.uptime_in_seconds) : null,
      };
    } catch (err) {
      logger.warn({ err }, 'broker inspection failed');
      return down;
    }
  }
}

function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) fields[line.slice(0, i)] = line.slice(i + 1);
  }
  return fields;
}

/** Broker gauges computed at scrape time (what Flower's users ask for and do not get). */
export function registerBrokerMetrics(registry: Registry, inspector: BrokerInspector): void {
  const registers = [registry];
  new Gauge({
    name: 'reelwatch_tasks_queue_jobs',
    help: 'Jobs in each queue by state (waiting includes prioritized)',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      const snapshot = await inspector.snapshot();
      this.reset();
      for (const q of snapshot.queues) {
        for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, q.counts[state]);
      }
    },
  });
  new Gauge({
    name: 'reelwatch_tasks_queue_oldest_waiting_age_seconds',
    help: 'Age of the oldest job waiting in each queue (0 when none waits)',
    labelNames: ['queue'],
    registers,
    async collect() {
      const snapshot = await inspector.snapshot();
      this.reset();
      for (const q of snapshot.queues) this.set({ queue: q.name }, q.oldestWaitingAgeSeconds);
    },
  });
  new Gauge({
    name: 'reelwatch_tasks_broker_up',
    help: '1 when the broker (Redis) answered the last inspection',
    registers,
    async collect() {
      this.set((await inspector.snapshot()).up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'reelwatch_tasks_broker_memory_used_bytes',
    help: 'Redis INFO used_memory of the broker',
    registers,
    async collect() {
      const { usedMemoryBytes } = await inspector.snapshot();
      this.reset();
      if (usedMemoryBytes !== null) this.set(usedMemoryBytes);
    },
  });
  new Gauge({
    name: 'reelwatch_tasks_broker_connected_clients',
    help: 'Redis INFO connected_clients of the broker',
    registers,
    async collect() {
      const { connectedClients } = await inspector.snapshot();
      this.reset();
      if (connectedClients !== null) this.set(connectedClients);
    },
  });
  new Gauge({
    name: 'reelwatch_tasks_broker_uptime_seconds',
    help: 'Redis INFO uptime_in_seconds of the broker (a drop means it restarted)',
    registers,
    async collect() {
      const { uptimeSeconds } = await inspector.snapshot();
      this.reset();
      if (uptimeSeconds !== null) this.set(uptimeSeconds);
    },
  });
}
