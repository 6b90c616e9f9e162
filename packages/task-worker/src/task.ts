import type { Pool } from 'pg';
import type pino from 'pino';

/** What a task may use besides its arguments; built once per worker. */
export interface TaskDependencies {
  /** connection pool to the PostgreSQL replica (read-only queries); created on first use */
  replica(): Pool;
  /** directory snapshot exports are written to */
  exportDir: string;
}

export interface TaskContext {
  /** aborted on revoke(terminate), soft time limit, hard time limit or worker force-stop */
  signal: AbortSignal;
  logger: pino.Logger;
  deps: TaskDependencies;
  taskId: string;
  /** 1 for the first attempt */
  attempt: number;
}

export interface TaskDefinition<A = unknown, R = unknown> {
  /** dotted name, as in Celery: `recommendations.recompute` */
  name: string;
  /** the queue a task is sent to unless the caller says otherwise */
  queue: string;
  description: string;
  /** attempts in all, the first one included */
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
  /** validates raw job data; throws TaskQueueError('INVALID_ARGUMENTS') */
  parseArgs(raw: unknown): A;
  run(args: A, context: TaskContext): Promise<R>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds tasks of every argument and result type
export type AnyTaskDefinition = TaskDefinition<any, any>;

export function defineTask<A, R>(definition: TaskDefinition<A, R>): TaskDefinition<A, R> {
  return definition;
}

/** Throws the signal's reason when the task was aborted; call it between units of work. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}
