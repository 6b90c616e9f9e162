import { readdirSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../../src/commands';

describe('the command list', () => {
  it('declares exactly one command per file of src/commands (besides index and the Command type)', () => {
    const files = readdirSync(path.resolve(__dirname, '../../src/commands'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'command.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(files);
  });

  it('has the commands the issue names, in the order the help shows them', () => {
    expect(COMMANDS.map((c) => c.name)).toEqual([
      'up',
      'down',
      'status',
      'logs',
      'stop',
      'start',
      'urls',
      'doctor',
    ]);
  });

  it('gives every command a summary and help for every option', () => {
    for (const command of COMMANDS) {
      expect(command.summary.length).toBeGreaterThan(10);
      expect(command.optionHelp).toHaveLength(Object.keys(command.options).length);
    }
  });
});
