import { defineControlCommand } from './command';

export const ping = defineControlCommand({
  name: 'ping',
  heartbeat: false,
  parseArgs: () => ({}),
  run: () => 'pong',
});
