import path from 'node:path';
import { parseArgs } from 'node:util';
import { COMMANDS, type Command } from './commands';
import type { OptionsConfig, OptionValues } from './commands/command';
import type { Mode } from './context';
import { StackError } from './errors';

export const GLOBAL_OPTIONS: OptionsConfig = {
  json: { type: 'boolean' },
  'state-dir': { type: 'string' },
  'env-file': { type: 'string' },
  mode: { type: 'string' },
  'port-base': { type: 'string' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export interface CommandLine {
  /** undefined: print the usage (no command, or --help without one). */
  command: Command | undefined;
  help: boolean;
  json: boolean;
  color: boolean | undefined;
  mode: Mode;
  stateDir: string;
  /** The Compose env file (default compose/.env). */
  envFile: string;
  portBase: number | undefined;
  values: OptionValues;
  positionals: string[];
}

/**
 * `stack [global options] <command> [options] [args]`; global options may also come after the
 * command. Environment defaults: REELWATCH_STACK_DIR (state dir, default <repo>/.stack),
 * REELWATCH_STACK_MODE, REELWATCH_STACK_PORT_BASE, REELWATCH_STACK_ENV_FILE (default compose/.env). Throws StackError('USAGE') naming the problem.
 */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv, root: string): CommandLine {
  const name = argv.find((arg) => !arg.startsWith('-'));
  const command = name === undefined ? undefined : COMMANDS.find((c) => c.name === name);
  if (name !== undefined && !command)
    throw new StackError(
      'USAGE',
      `unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
    );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new StackError('USAGE', (error as Error).message.replace(/\. To specify a positional.*$/s, ''), {
      cause: error,
    });
  }
  const values = parsed.values as OptionValues;
  const positionals = parsed.positionals.slice(name === undefined ? 0 : parsed.positionals.indexOf(name) + 1);
  if (
    command &&
    (positionals.length > command.maxPositionals || positionals.length < (command.minPositionals ?? 0))
  )
    throw new StackError(
      'USAGE',
      `${command.name} takes ${command.args ?? 'no arguments'}, got: ${positionals.join(' ') || 'none'}`,
    );

  const mode = (values.mode ?? env.REELWATCH_STACK_MODE ?? 'auto') as string;
  if (mode !== 'auto' && mode !== 'docker' && mode !== 'native')
    throw new StackError('USAGE', `--mode must be auto, docker or native, not "${mode}"`);
  const portBaseText = (values['port-base'] ?? env.REELWATCH_STACK_PORT_BASE) as string | undefined;
  let portBase: number | undefined;
  if (portBaseText !== undefined && portBaseText !== '') {
    portBase = Number(portBaseText);
    if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65_000)
      throw new StackError(
        'USAGE',
        `--port-base must be a port number from 1024 to 65000, not "${portBaseText}"`,
      );
  }
  const stateDir = path.resolve(
    root,
    (values['state-dir'] as string | undefined) ?? env.REELWATCH_STACK_DIR ?? '.stack',
  );
  const envFile = path.resolve(
    root,
    (values['env-file'] as string | undefined) ||
      env.REELWATCH_STACK_ENV_FILE ||
      path.join('compose', '.env'),
  );
  return {
    command,
    help: values.help === true,
    json: values.json === true,
    color: values['no-color'] === true ? false : undefined,
    mode,
    stateDir,
    envFile,
    portBase,
    values,
    positionals,
  };
}

export function usage(command?: Command): string {
  const globals = [
    '--json            one JSON document on stdout, for scripts',
    '--state-dir <d>   native state, data and logs; Docker: what up --without left out (default .stack; env REELWATCH_STACK_DIR)',
    '--env-file <f>    the Compose env file: passwords, ports (default compose/.env; env REELWATCH_STACK_ENV_FILE)',
    '--mode <m>        auto (Docker when its engine answers, else native), docker or native (env REELWATCH_STACK_MODE)',
    '--port-base <p>   native ports p, p+1, ... instead of the defaults (env REELWATCH_STACK_PORT_BASE)',
    '--no-color        plain output on a terminal too (or NO_COLOR=1)',
  ];
  if (command) {
    return [
      `usage: pnpm stack ${command.name} [options]${command.args ? ` ${command.args}` : ''}`,
      '',
      command.summary,
      '',
      ...(command.optionHelp.length ? ['options:', ...command.optionHelp.map((l) => `  ${l}`), ''] : []),
      'global options:',
      ...globals.map((l) => `  ${l}`),
      '',
    ].join('\n');
  }
  const width = Math.max(...COMMANDS.map((c) => c.name.length + (c.args ? c.args.length + 1 : 0)));
  return [
    'usage: pnpm stack <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${`${c.name}${c.args ? ` ${c.args}` : ''}`.padEnd(width)}  ${c.summary}`),
    '',
    'global options:',
    ...globals.map((l) => `  ${l}`),
    '',
    'pnpm stack <command> --help shows the options of a command.',
    '',
  ].join('\n');
}
