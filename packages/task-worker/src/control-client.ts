import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TaskClient } from './client';
import type { ControlCommand, ControlCommandName, ControlReply } from './control';
import type { TaskEvent, TaskKeys } from './protocol';

export interface RevokeOutcome {
  /** removed from its queue before any worker took it */
  removed: boolean;
  replies: ControlReply[];
}

/**
 * Sends remote-control commands to workers over Redis pub/sub and collects their replies
 * (like Celery's broadcast with reply=True): what Flower's control API calls.
 */
export class TaskControl {
  constructor(
    private readonly options: {
      /** a connection in normal (not subscriber) mode */
      redis: Redis;
      keys: TaskKeys;
      client: TaskClient;
      /** how long to wait for replies (Flower's inspect_timeout) */
      timeoutMs: number;
    },
  ) {}

  /**
   * Publishes a command; waits for one reply per destination (or, for a broadcast, per
   * subscriber the publish reached) until the timeout.
   */
  async broadcast(
    command: ControlCommandName,
    args: Record<string, unknown>,
    options: { destination?: string[] | null; reply?: boolean; timeoutMs?: number } = {},
  ): Promise<ControlReply[]> {
    const { redis, keys } = this.options;
    const message: ControlCommand = {
      id: randomUUID(),
      command,
      destination: options.destination ?? null,
      arguments: args,
      reply: options.reply ?? true,
    };
    const receivers = await redis.publish(keys.control, JSON.stringify(message));
    if (!message.reply || receivers === 0) return [];
    const expected = message.destination ? Math.min(message.destination.length, receivers) : receivers;
    const replies: ControlReply[] = [];
    const deadline = Date.now() + (options.timeoutMs ?? this.options.timeoutMs);
    // BLPOP blocks the connection, so it gets its own
    const blocking = redis.duplicate();
    try {
      while (replies.length < expected) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const popped = await blocking.blpop(keys.reply(message.id), Math.max(0.01, left / 1000));
        if (!popped) break;
        replies.push(JSON.parse(popped[1]) as ControlReply);
      }
    } finally {
      blocking.disconnect();
    }
    return replies;
  }

  /**
   * Revokes a task: remembered by every worker (and in Redis for workers starting later);
   * removed from its queue when still waiting or delayed; aborted when running and terminate.
   */
  async revoke(
    id: string,
    options: { terminate?: boolean; queues: Iterable<string> },
  ): Promise<RevokeOutcome> {
    const { redis, keys, client } = this.options;
    await redis
      .pipeline()
      .sadd(keys.revoked, id)
      .expire(keys.revoked, 24 * 3600)
      .exec();
    let removed = false;
    const found = await client.find(id, options.queues);
    if (found) {
      const state = await found.job.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        try {
          await found.job.remove();
          removed = true;
        } catch {
          // a worker locked it meanwhile: the broadcast below reaches that worker
        }
      }
      if (removed) {
        const event: TaskEvent = {
          type: 'task-revoked',
          uuid: id,
          name: found.job.name,
          hostname: '',
          timestamp: Date.now() / 1000,
          queue: found.queue,
          terminated: false,
          expired: false,
        };
        await redis.xadd(keys.events, '*', 'e', JSON.stringify(event));
      }
    }
    const replies = await this.broadcast('revoke', { id, terminate: options.terminate === true });
    return { removed, replies };
  }
}
