import type { ControlArgsContext } from './command';

/** the largest pool a remote command may ask for (TASK_WORKER_CONCURRENCY's bound too) */
export const MAX_CONCURRENCY = 1000;

export function positiveInt(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got '${String(value)}'`);
  return n;
}

export function nonEmpty(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`'${what}' is required`);
  return value;
}

export function optionalSeconds(value: unknown, what: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`'${what}' must be a positive number of seconds`);
  return n;
}

/** A task name; when the context knows the registered tasks, one of them. */
export function knownTask(value: unknown, context: ControlArgsContext | undefined): string {
  const task = nonEmpty(value, 'task');
  if (context?.isRegistered && !context.isRegistered(task)) throw new Error(`unknown task '${task}'`);
  return task;
}
