export * from './batch-aggregator';
export * from './batch-writer';
export * from './config';
export * from './errors';
export * from './ingestion-consumer';
export * from './ingestion-metrics';
export * from './migrations';
export * from './parse-event-line';
