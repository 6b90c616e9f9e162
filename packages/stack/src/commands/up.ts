import { resolveBackend } from '../backend';
import { parseServiceList } from '../docker/project';
import { StackError } from '../errors';
import type { Command } from './command';

export const upCommand: Command = {
  name: 'up',
  summary:
    'start the stack (Docker Compose when the engine answers, else natively) and wait until it is healthy',
  maxPositionals: 0,
  options: {
    attach: { type: 'boolean', short: 'a' },
    'no-install': { type: 'boolean' },
    timeout: { type: 'string' },
    without: { type: 'string', multiple: true },
  },
  optionHelp: [
    '-a, --attach      stay in the foreground; Ctrl-C stops the stack',
    '--no-install      never install missing Debian packages (native mode)',
    '--timeout <s>     seconds to wait for health (per component natively; default 120, Docker 300)',
    '--without <s,...> Docker: leave out these Compose services and what depends on them (e.g. --without grafana); status shows them as skipped until the next up or down',
  ],
  async run(ctx, values) {
    const backend = await resolveBackend(ctx);
    const timeoutSec =
      values.timeout === undefined ? (backend.kind === 'docker' ? 300 : 120) : Number(values.timeout);
    if (!Number.isFinite(timeoutSec) || timeoutSec <= 0)
      throw new StackError('USAGE', '--timeout must be a number of seconds > 0');
    ctx.out.note(
      backend.kind === 'docker'
        ? 'Docker engine found: starting the Compose stack (compose/docker-compose.yml)'
        : `no Docker engine${ctx.mode === 'native' ? ' wanted' : ''}: starting the stack natively (state in ${ctx.stateDir})`,
    );
    const code = await backend.up({
      install: values['no-install'] !== true,
      timeoutSec,
      attach: values.attach === true,
      without: parseServiceList(values.without),
    });
    if (ctx.out.json) ctx.out.document({ ok: code === 0, mode: backend.kind, ...(await backend.urls()) });
    return code;
  },
};
