export { createApiRouter, filterTasks, workerStatesParam, workerView } from './api';
export { configureMonitorApp, type MonitorApp, type MonitorAppOptions } from './app';
export { type AuthOptions, authEnabled, requireAuth } from './auth';
export { BrokerInspector, type BrokerSnapshot, QUEUE_STATES, registerBrokerMetrics } from './broker-metrics';
export { type MonitorConfig, monitorConfigSchema } from './config';
export { FlowerMetrics } from './flower-metrics';
export { TaskMonitor, type TaskMonitorOptions } from './monitor';
export { MonitorState, type TaskRecord, type WorkerRecord } from './state';
export { registerWorkerMetrics } from './worker-metrics';
export {
  heartbeatExpiry,
  offlineSince,
  parseAnnouncement,
  WORKER_STATES,
  type WorkerState,
  workerFromRedis,
  workerState,
} from './worker-state';
