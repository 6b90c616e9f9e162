import { MAX_CONCURRENCY, positiveInt } from './args';
import { defineControlCommand } from './command';

export const poolGrow = defineControlCommand({
  name: 'pool_grow',
  heartbeat: true,
  parseArgs: (raw) => ({ n: positiveInt(raw.n, 1) }),
  run(target, { n }) {
    if (target.concurrency + n > MAX_CONCURRENCY)
      throw new Error(`cannot grow the pool beyond ${MAX_CONCURRENCY}`);
    target.setConcurrency(target.concurrency + n);
    return `pool will grow by ${n}`;
  },
});
