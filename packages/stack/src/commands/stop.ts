import { resolveBackend } from '../backend';
import type { Command } from './command';

export const stopCommand: Command = {
  name: 'stop',
  summary: 'stop one component and keep it stopped (not restarted) until `start <component>`',
  args: '<component>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {},
  optionHelp: [],
  async run(ctx, _values, positionals) {
    const backend = await resolveBackend(ctx);
    const name = positionals[0]!;
    const code = await backend.stopOne(name);
    if (ctx.out.json) ctx.out.document({ ok: code === 0, mode: backend.kind, stopped: name });
    return code;
  },
};
