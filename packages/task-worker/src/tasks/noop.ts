import { defineTask } from '../task';

/** Does nothing; the benchmark's unit of work and a liveness probe for workers. */
export const noop = defineTask<unknown, null>({
  name: 'noop',
  queue: 'default',
  description: 'does nothing (benchmarks, liveness probes)',
  attempts: 1,
  backoff: { type: 'fixed', delay: 0 },
  parseArgs: (raw) => raw,
  run: async () => null,
});
