import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** stream the command's output to ours as it runs (long builds), besides capturing it */
  echo?: boolean;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Thrown by run() when a command exits non-zero; carries its output for the failure report. */
export class CommandError extends Error {
  readonly code = 'COMMAND_FAILED';
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
    super(`${command} exited ${result.code}${tail ? `:\n${tail}` : ''}`);
    this.name = 'CommandError';
  }
}

/** Runs a command without a shell; resolves with its output, rejects with CommandError on a non-zero exit. */
export async function run(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runUnchecked(file, args, options);
  if (result.code !== 0) throw new CommandError(`${file} ${args.join(' ')}`, result);
  return result;
}

/** Like run(), but resolves with whatever exit code the command had. */
export function runUnchecked(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // No input: stdin is /dev/null. With input, a child that exits before reading it must not
      // turn into an EPIPE error here.
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (options.echo) process.stdout.write(s);
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (options.echo) process.stderr.write(s);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            stderr += `\n(killed after ${options.timeoutMs} ms)`;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}
