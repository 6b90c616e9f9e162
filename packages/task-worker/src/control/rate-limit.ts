import { parseRateLimit } from '../protocol';
import { knownTask } from './args';
import { defineControlCommand } from './command';

/** Celery's rate_limit: `n/s`, `n/m`, `n/h`; 0 or '' removes it. */
export const rateLimit = defineControlCommand({
  name: 'rate_limit',
  heartbeat: true,
  parseArgs(raw, context) {
    const task = knownTask(raw.task, context);
    const rate = typeof raw.rate === 'string' ? raw.rate : String(raw.rate ?? '');
    parseRateLimit(rate); // throws RangeError, saying why, on a bad rate
    return { task, rate };
  },
  run(target, { task, rate }) {
    target.setRateLimit(task, rate);
    return parseRateLimit(rate) === null
      ? 'rate limit disabled successfully'
      : 'new rate limit set successfully';
  },
});
