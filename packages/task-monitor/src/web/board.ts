import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type express from 'express';
import type { TaskMonitor } from '../monitor';

/** bull-board for queues and jobs, mounted at `basePath`. */
export function createQueueBoard(
  monitor: TaskMonitor,
  options: { basePath: string; readOnly: boolean },
): express.Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(options.basePath);
  createBullBoard({
    queues: monitor
      .queues()
      .map((q) => new BullMQAdapter(monitor.client.queue(q), { readOnlyMode: options.readOnly })),
    serverAdapter,
  });
  return serverAdapter.getRouter() as express.Router;
}
