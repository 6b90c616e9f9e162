import { TaskQueueError } from './errors';

export interface TimeLimits {
  soft: number | null;
  hard: number | null;
}

/**
 * Runs a task under Celery's time limits. `register` receives, before the task starts, the kill
 * function that fails it at once (revoke with terminate, the shutdown timeout, the hard limit).
 */
export function runWithLimits(
  limits: TimeLimits | undefined,
  controller: AbortController,
  register: (kill: (reason: Error) => void) => void,
  run: () => unknown,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const kill = (reason: Error) => {
      if (!controller.signal.aborted) controller.abort(reason);
      reject(reason);
    };
    register(kill);
    if (limits?.soft) {
      const soft = limits.soft;
      // the soft limit only signals: the task may clean up and fail on its own terms
      timers.push(
        setTimeout(
          () =>
            controller.abort(
              new TaskQueueError('SOFT_TIME_LIMIT_EXCEEDED', `SoftTimeLimitExceeded(${soft})`, {
                retryable: false,
              }),
            ),
          soft * 1000,
        ),
      );
    }
    if (limits?.hard) {
      const hard = limits.hard;
      timers.push(
        setTimeout(
          () =>
            kill(
              new TaskQueueError('TIME_LIMIT_EXCEEDED', `TimeLimitExceeded(${hard})`, { retryable: false }),
            ),
          hard * 1000,
        ),
      );
    }
    const clear = () => {
      for (const t of timers) clearTimeout(t);
    };
    Promise.resolve()
      .then(run)
      .then(
        (value) => {
          clear();
          resolve(value);
        },
        (err) => {
          clear();
          reject(err);
        },
      );
  });
}
