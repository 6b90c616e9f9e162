export { type ApplyOptions, TaskClient, type TaskResult, type TaskState } from './client';
export { parseAutoscale, type WorkerConfig, workerConfigSchema } from './config';
export { type RevokeOutcome, TaskControl } from './control';
export { TaskQueueError, type TaskQueueErrorCode } from './errors';
export { EventPublisher } from './event_publisher';
export * from './protocol';
export {
  closeRedis,
  connectionProblem,
  retryUntilDone,
  waitUntilConnected,
  watchConnection,
  within,
} from './redis_connection';
export { REPLICA_TABLES } from './replica';
export {
  type AnyTaskDefinition,
  defineTask,
  type TaskContext,
  type TaskDefinition,
  type TaskDependencies,
  throwIfAborted,
} from './task';
export { DEFAULT_QUEUES, TASKS } from './tasks';
export { TaskWorker, type TaskWorkerOptions } from './worker';
