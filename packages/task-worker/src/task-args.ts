import type { z } from 'zod';
import { TaskQueueError } from './errors';

/** Parses task arguments with a zod schema; a bad argument is not worth retrying. */
export function parseWith<S extends z.ZodType>(task: string, schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`);
    throw new TaskQueueError('INVALID_ARGUMENTS', `${task}: ${problems.join('; ')}`, { retryable: false });
  }
  return parsed.data;
}

/** Wraps a replica error so a transient outage is retried with backoff. */
export function replicaError(task: string, cause: unknown): TaskQueueError {
  return new TaskQueueError('REPLICA_UNAVAILABLE', `${task}: replica query failed`, {
    cause,
    retryable: true,
  });
}
