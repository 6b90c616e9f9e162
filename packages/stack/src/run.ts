import { parseCommandLine, usage } from './cli';
import type { StackContext } from './context';
import { exitCodeOf, StackError } from './errors';
import { Output, type OutputStream, wantsColor } from './output';
import { findRepoRoot } from './paths';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  stdout?: OutputStream;
  stderr?: OutputStream;
  root?: string;
  signal?: AbortSignal;
}

/** The whole CLI as a function: argv in, exit code out (tests call it in-process). */
export async function runStack(argv: string[], options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const root = options.root ?? findRepoRoot(process.cwd());
  let out = new Output({ stdout, stderr, json: argv.includes('--json'), color: false });
  try {
    const line = parseCommandLine(argv, env, root);
    out = new Output({
      stdout,
      stderr,
      json: line.json,
      color: wantsColor(stdout, env, line.color) && !line.json,
    });
    if (!line.command || line.help) {
      stdout.write(usage(line.command));
      return line.command || line.help ? 0 : 2;
    }
    const ctx: StackContext = {
      root,
      stateDir: line.stateDir,
      envFile: line.envFile,
      env,
      out,
      mode: line.mode,
      portBase: line.portBase,
      signal: options.signal ?? new AbortController().signal,
    };
    return await line.command.run(ctx, line.values, line.positionals);
  } catch (error) {
    const code = exitCodeOf(error);
    if (out.json)
      out.document({
        ok: false,
        error: {
          code: error instanceof StackError ? error.code : 'INTERNAL',
          message: (error as Error).message,
        },
      });
    out.error((error as Error).message);
    if (code === 2) stderr.write('run pnpm stack --help for the commands and options\n');
    return code;
  }
}
