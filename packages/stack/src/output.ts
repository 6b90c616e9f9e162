/**
 * What the CLI prints. For people: colour on a terminal (unless NO_COLOR is set), plain text
 * otherwise. For scripts: `--json` prints exactly one JSON document on stdout and nothing else.
 */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export type Tone = 'ok' | 'warn' | 'error' | 'info' | 'dim' | 'bold';

const CODES: Record<Tone, [number, number]> = {
  ok: [32, 39],
  warn: [33, 39],
  error: [31, 39],
  info: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

export interface OutputOptions {
  stdout: OutputStream;
  stderr: OutputStream;
  json: boolean;
  color?: boolean;
}

export class Output {
  readonly json: boolean;
  readonly color: boolean;
  readonly interactive: boolean;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;

  constructor(options: OutputOptions) {
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    this.json = options.json;
    this.interactive = Boolean(options.stdout.isTTY) && !options.json;
    this.color = options.color ?? this.interactive;
  }

  paint(tone: Tone, text: string): string {
    if (!this.color) return text;
    const [open, close] = CODES[tone];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** A line for people; silent under --json (scripts read only the JSON document). */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** Progress and notes for people go to stderr under --json, so stdout stays one document. */
  note(text: string): void {
    if (this.json) this.stderr.write(`${text}\n`);
    else this.stdout.write(`${text}\n`);
  }

  error(text: string): void {
    this.stderr.write(`${this.paint('error', 'error:')} ${text}\n`);
  }

  document(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A table with columns padded to their widest cell (colour codes do not count). */
  table(rows: string[][]): void {
    if (this.json || rows.length === 0) return;
    const widths: number[] = [];
    for (const row of rows)
      row.forEach((cell, i) => {
        widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
      });
    for (const row of rows) {
      const cells = row.map((cell, i) =>
        i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell)),
      );
      this.line(`  ${cells.join('  ')}`.trimEnd());
    }
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI colour codes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Colour unless NO_COLOR is set (https://no-color.org) or the user asked for none. */
export function wantsColor(stream: OutputStream, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}
