export { DEFAULT_TABLES, type TrainingSnapshotConfig, trainingSnapshotConfigSchema } from './config';
export { SnapshotError, type SnapshotErrorCode } from './errors';
export { type RunResult, runTrainingSnapshot } from './run';
export { PUSH_JOB, pushRun, type RunOutcome, readPushedFailures, runRegistry } from './run-metrics';
export { type SnapshotResult, snapshotName, type TableExport, writeSnapshot } from './snapshot-writer';
