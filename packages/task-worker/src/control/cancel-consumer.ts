import { nonEmpty } from './args';
import { defineControlCommand } from './command';

export const cancelConsumer = defineControlCommand({
  name: 'cancel_consumer',
  heartbeat: true,
  parseArgs: (raw) => ({ queue: nonEmpty(raw.queue, 'queue') }),
  async run(target, { queue }) {
    if (!(await target.cancelConsumer(queue))) throw new Error(`not consuming from '${queue}'`);
    return `no longer consuming from ${queue}`;
  },
});
