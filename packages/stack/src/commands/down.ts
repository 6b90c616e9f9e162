import { resolveBackend } from '../backend';
import type { Command } from './command';

export const downCommand: Command = {
  name: 'down',
  summary: 'stop everything the stack started; --volumes also removes its data',
  maxPositionals: 0,
  options: { volumes: { type: 'boolean', short: 'v' } },
  optionHelp: ['-v, --volumes     also remove the data (PostgreSQL, Prometheus, Redis, Pushgateway)'],
  async run(ctx, values) {
    const backend = await resolveBackend(ctx);
    const code = await backend.down({ volumes: values.volumes === true });
    if (ctx.out.json)
      ctx.out.document({ ok: code === 0, mode: backend.kind, volumesRemoved: values.volumes === true });
    else ctx.out.line(ctx.out.paint('ok', `stack stopped (${backend.kind})`));
    return code;
  },
};
