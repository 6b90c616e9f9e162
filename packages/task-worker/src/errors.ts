import { ReelwatchError } from '@reelwatch/service-kit';

export type TaskQueueErrorCode =
  | 'UNKNOWN_TASK'
  | 'INVALID_ARGUMENTS'
  | 'REVOKED'
  | 'TIME_LIMIT_EXCEEDED'
  | 'SOFT_TIME_LIMIT_EXCEEDED'
  | 'REPLICA_UNAVAILABLE'
  | 'EXPORT_FAILED'
  | 'CONTROL_FAILED';

/** Errors of the task queue; `retryable` decides whether a failed task is retried. */
export class TaskQueueError extends ReelwatchError<TaskQueueErrorCode> {}
