export { type Backend, resolveBackend } from './backend';
export { parseCommandLine, usage } from './cli';
export { COMMANDS } from './commands';
export { containerState, projectContainers, summarizeServices } from './docker/containers';
export { StackError } from './errors';
export { NATIVE_COMPONENTS } from './native/components';
export { runStack } from './run';
