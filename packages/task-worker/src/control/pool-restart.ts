import { defineControlCommand } from './command';

export const poolRestart = defineControlCommand({
  name: 'pool_restart',
  heartbeat: true,
  parseArgs: () => ({}),
  async run(target) {
    await target.restartPool();
    return 'reloaded';
  },
});
