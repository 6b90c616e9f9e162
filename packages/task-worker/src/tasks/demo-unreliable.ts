import { z } from 'zod';
import { defineTask } from '../task';
import { parseWith } from '../task-args';

const Args = z.object({
  /** Attempts that fail before one succeeds: 0 succeeds at once, 1 is retried once, 3 or more fails for good. */
  failAttempts: z.number().int().min(0).max(10).default(0),
  /** Time each attempt takes (a slow task), in ms. */
  sleepMs: z.number().int().min(0).max(600_000).default(0),
});

export class DemoTaskFailure extends Error {
  override readonly name = 'DemoTaskFailure';
}

/**
 * The demo traffic's stand-in for real work that sometimes fails: deterministic, so a run can
 * check that each task ended exactly as its arguments say (retried, failed, slow).
 */
export const demoUnreliable = defineTask<z.infer<typeof Args>, { attempt: number; sleptMs: number }>({
  name: 'demo.unreliable',
  queue: 'default',
  description: 'demo traffic: fails its first failAttempts attempts, each taking sleepMs',
  attempts: 3,
  backoff: { type: 'fixed', delay: 500 },
  parseArgs: (raw) => parseWith('demo.unreliable', Args, raw ?? {}),
  async run({ failAttempts, sleepMs }, { attempt, signal }) {
    if (sleepMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, sleepMs);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    }
    if (attempt <= failAttempts)
      throw new DemoTaskFailure(`demo failure on attempt ${attempt} of the ${failAttempts} asked for`);
    return { attempt, sleptMs: sleepMs };
  },
});
