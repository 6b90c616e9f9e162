import { MAX_CONCURRENCY, positiveInt } from './args';
import { defineControlCommand } from './command';

/** Celery's autoscale max,min; a min of 0 keeps one slot. */
export const autoscale = defineControlCommand({
  name: 'autoscale',
  heartbeat: true,
  parseArgs(raw) {
    const max = positiveInt(raw.max, 0);
    const min = Number.isInteger(raw.min) && (raw.min as number) >= 0 ? (raw.min as number) : 0;
    if (max < Math.max(1, min)) throw new Error(`autoscale needs max >= min >= 0 and max >= 1`);
    if (max > MAX_CONCURRENCY) throw new Error(`autoscale max cannot exceed ${MAX_CONCURRENCY}`);
    return { max, min };
  },
  run(target, { max, min }) {
    target.setAutoscale(max, Math.max(1, min));
    return `autoscale now max=${max} min=${min}`;
  },
});
