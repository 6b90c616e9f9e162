import { resolveBackend } from '../backend';
import type { Command } from './command';

export const urlsCommand: Command = {
  name: 'urls',
  summary:
    'where everything is: Grafana (and how to log in), Prometheus, Alertmanager, Pushgateway, every /metrics',
  maxPositionals: 0,
  options: {},
  optionHelp: [],
  async run(ctx) {
    const backend = await resolveBackend(ctx);
    const list = await backend.urls();
    const out = ctx.out;
    if (out.json) {
      out.document({ mode: backend.kind, ...list });
      return 0;
    }
    if (!list.running)
      out.line(out.paint('warn', 'the stack is not running; these are the addresses it will have:'));
    out.table(list.urls.map((u) => [out.paint('bold', u.name), u.url, out.paint('dim', u.note ?? '')]));
    for (const note of list.notes) out.line(`${out.paint('info', 'note:')} ${note}`);
    return 0;
  },
};
