export { createApiRouter, filterTasks, workerView } from './api';
export { configureMonitorApp, type MonitorAppOptions } from './app';
export { type AuthOptions, authEnabled, requireAuth } from './auth';
export { BrokerInspector, type BrokerSnapshot, QUEUE_STATES, registerBrokerMetrics } from './broker-metrics';
export { type MonitorConfig, monitorConfigSchema } from './config';
export { FlowerMetrics } from './flower-metrics';
export { TaskMonitor, type TaskMonitorOptions } from './monitor';
export { MonitorState, type TaskRecord, type WorkerRecord } from './state';
