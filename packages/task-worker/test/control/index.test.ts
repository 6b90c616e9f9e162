import { readdirSync } from 'node:fs';
import path from 'node:path';
import { CONTROL_COMMANDS, CONTROL_HANDLERS, controlHandler } from '../../src/control';
import { FakeTarget } from './fake-target';

const NOT_COMMANDS = new Set(['index.ts', 'command.ts', 'args.ts']);

describe('the control table', () => {
  it('declares exactly one command per file in src/control, named after the file', () => {
    const files = readdirSync(path.resolve(__dirname, '../../src/control'))
      .filter((f) => f.endsWith('.ts') && !NOT_COMMANDS.has(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(CONTROL_HANDLERS.map((h) => h.name.replaceAll('_', '-')).sort()).toEqual(files);
  });

  it("lists Celery's command names, each once", () => {
    expect(CONTROL_COMMANDS).toEqual([
      'shutdown',
      'pool_restart',
      'pool_grow',
      'pool_shrink',
      'autoscale',
      'add_consumer',
      'cancel_consumer',
      'rate_limit',
      'time_limit',
      'revoke',
      'ping',
    ]);
  });

  it('finds a handler by name and nothing for a name not in the table', () => {
    expect(controlHandler('pool_grow')?.name).toBe('pool_grow');
    expect(controlHandler('drop_tables')).toBeUndefined();
  });

  it('sends a heartbeat after every command but shutdown, ping and revoke', () => {
    expect(CONTROL_HANDLERS.filter((h) => !h.heartbeat).map((h) => h.name)).toEqual([
      'shutdown',
      'revoke',
      'ping',
    ]);
  });

  it('acts after the reply only for shutdown', () => {
    const target = new FakeTarget();
    for (const handler of CONTROL_HANDLERS) handler.afterReply(target);
    expect(target.calls).toEqual([['requestShutdown', 'remote shutdown']]);
  });
});
