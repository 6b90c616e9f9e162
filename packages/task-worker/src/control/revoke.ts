import { nonEmpty } from './args';
import { defineControlCommand } from './command';

export const revoke = defineControlCommand({
  name: 'revoke',
  heartbeat: false,
  parseArgs: (raw) => ({ id: nonEmpty(raw.id, 'id'), terminate: raw.terminate === true }),
  run(target, { id, terminate }) {
    return target.revoke(id, terminate) ? `terminate: ${id}` : `tasks flagged as revoked: ${id}`;
  },
});
