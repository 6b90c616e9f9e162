import { resolveBackend } from '../backend';
import { StackError } from '../errors';
import type { Command } from './command';

export const logsCommand: Command = {
  name: 'logs',
  summary: 'the logs of one component or of all (prefixed by name); -f follows',
  args: '[service]',
  maxPositionals: 1,
  options: { follow: { type: 'boolean', short: 'f' }, tail: { type: 'string', short: 'n' } },
  optionHelp: [
    '-f, --follow      keep printing new lines until Ctrl-C',
    '-n, --tail <n>    lines of history per component (default 100)',
  ],
  async run(ctx, values, positionals) {
    const tail = values.tail === undefined ? 100 : Number(values.tail);
    if (!Number.isInteger(tail) || tail < 0)
      throw new StackError('USAGE', '--tail must be a whole number >= 0');
    if (ctx.out.json)
      throw new StackError('USAGE', 'logs prints log lines as they are; --json is not supported here');
    const backend = await resolveBackend(ctx);
    return backend.logs({ service: positionals[0], follow: values.follow === true, tail });
  },
};
