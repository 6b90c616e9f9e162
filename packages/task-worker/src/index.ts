export { type AutoscaleBounds, Autoscaler, autoscaleStep } from './autoscaler';
export { type ApplyOptions, TaskClient, type TaskResult, type TaskState } from './client';
export { parseAutoscale, type WorkerConfig, workerConfigSchema } from './config';
export {
  CONTROL_COMMANDS,
  CONTROL_HANDLERS,
  type ControlArgsContext,
  type ControlCommand,
  type ControlCommandName,
  type ControlHandler,
  type ControlReply,
  type ControlTarget,
  controlHandler,
  MAX_CONCURRENCY,
} from './control';
export { type RevokeOutcome, TaskControl } from './control-client';
export { TaskQueueError, type TaskQueueErrorCode } from './errors';
export { EventPublisher } from './event-publisher';
export {
  COMPACT_SLOTS,
  type CompactEventBatch,
  type CompactTaskGroup,
  type CompactValue,
  decodeSeconds,
  decodeStreamEntry,
  encodeCompactEvent,
  encodeSeconds,
  HEARTBEAT_EXPIRE_FACTOR,
  isTaskEvent,
  parseRateLimit,
  type ReelwatchTaskEvent,
  TASK_EVENT_TYPES,
  type TaskEvent,
  type TaskEventFields,
  type TaskEventType,
  type TaskKeys,
  taskKeys,
  visitCompactGroup,
  WORKER_EVENT_TYPES,
  type WorkerEvent,
  type WorkerEventType,
  type WorkerInfo,
} from './protocol';
export {
  closeRedis,
  connectionProblem,
  retryUntilDone,
  waitUntilConnected,
  watchConnection,
  within,
} from './redis-connection';
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
