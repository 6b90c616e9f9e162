import { defineControlCommand } from './command';

/** Celery's warm shutdown: answered first, then the worker stops through its lifecycle. */
export const shutdown = defineControlCommand({
  name: 'shutdown',
  heartbeat: false,
  parseArgs: () => ({}),
  run: () => 'Warm shutdown',
  afterReply: (target) => target.requestShutdown('remote shutdown'),
});
