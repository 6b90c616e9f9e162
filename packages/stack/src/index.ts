export { type Backend, resolveBackend } from './backend';
export { parseCommandLine, usage } from './cli';
export { COMMANDS } from './commands';
export {
  COMPONENTS,
  COMPOSE_PUBLISHED_PORTS,
  type ComposeService,
  DEFAULT_PORTS,
  findComponent,
  PORT_NAMES,
  type Runtime,
  type StackComponent,
} from './components';
export { APP_DATABASE } from './components/support';
export { containerState, projectContainers, summarizeServices } from './docker/containers';
export { renderPortsTable } from './docs/ports-table';
export { createEnvFileFromExample, readEnvFile } from './env-file';
export { StackError } from './errors';
export { findBinary } from './native/binaries';
export { groupMembers, isRunning, type ProcessRecord } from './native/processes';
export { MINIMAL_PROMETHEUS_CONFIG, rewritePrometheusConfig } from './native/prometheus-config';
export { type NativeSettings, nativeSettings } from './native/settings';
export { type NativeState, readState, type SupervisedRecord } from './native/state';
export { RESTART_POLICY, readSupervisorStatus, type SupervisorStatus } from './native/supervisor';
export { findRepoRoot, type RepoPaths, repoPaths } from './paths';
export { runStack } from './run';
