import { resolveBackend } from '../backend';
import type { Command } from './command';

export const startCommand: Command = {
  name: 'start',
  summary: 'start again one component that `stop <component>` stopped',
  args: '<component>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {},
  optionHelp: [],
  async run(ctx, _values, positionals) {
    const backend = await resolveBackend(ctx);
    const name = positionals[0]!;
    const code = await backend.startOne(name);
    if (ctx.out.json) ctx.out.document({ ok: code === 0, mode: backend.kind, started: name });
    return code;
  },
};
