import { nonEmpty } from './args';
import { defineControlCommand } from './command';

export const addConsumer = defineControlCommand({
  name: 'add_consumer',
  heartbeat: true,
  parseArgs: (raw) => ({ queue: nonEmpty(raw.queue, 'queue') }),
  async run(target, { queue }) {
    if (!target.addConsumer(queue)) return `already consuming from '${queue}'`;
    await target.consumerReady(queue);
    return `add consumer ${queue}`;
  },
});
