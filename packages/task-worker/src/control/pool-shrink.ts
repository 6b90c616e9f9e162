import { positiveInt } from './args';
import { defineControlCommand } from './command';

export const poolShrink = defineControlCommand({
  name: 'pool_shrink',
  heartbeat: true,
  parseArgs: (raw) => ({ n: positiveInt(raw.n, 1) }),
  run(target, { n }) {
    if (target.concurrency - n < 1)
      throw new Error(`cannot shrink the pool below 1 (now ${target.concurrency})`);
    target.setConcurrency(target.concurrency - n);
    return `pool will shrink by ${n}`;
  },
});
