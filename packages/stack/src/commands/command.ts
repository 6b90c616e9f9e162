import type { ParseArgsConfig } from 'node:util';
import type { StackContext } from '../context';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** One CLI command: its own file in src/commands/, declared in the list in index.ts. */
export interface Command {
  name: string;
  summary: string;
  /** Positional arguments, e.g. '[service]'. */
  args?: string;
  maxPositionals: number;
  /** Positional arguments it needs (default 0). */
  minPositionals?: number;
  options: OptionsConfig;
  /** One line per option for --help. */
  optionHelp: string[];
  run(ctx: StackContext, values: OptionValues, positionals: string[]): Promise<number>;
}
