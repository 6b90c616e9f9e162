import type { Output, Tone } from './output';

const TONES: Record<string, Tone> = {
  healthy: 'ok',
  running: 'ok',
  completed: 'ok',
  skipped: 'dim',
  starting: 'info',
  building: 'info',
  waiting: 'dim',
  unhealthy: 'warn',
  failed: 'error',
  stopped: 'dim',
  stopping: 'info',
};

/**
 * `up`'s per-component progress. On a terminal: one line per component, redrawn in place. Otherwise
 * (a pipe, CI, --json): one line per change of state, so logs read top to bottom.
 */
export class Progress {
  private readonly rows = new Map<string, { state: string; detail: string }>();
  private drawn = 0;

  constructor(private readonly out: Output) {}

  set(name: string, state: string, detail = ''): void {
    const previous = this.rows.get(name);
    if (previous && previous.state === state && previous.detail === detail) return;
    this.rows.set(name, { state, detail });
    if (this.out.interactive) this.redraw();
    else this.out.note(`${name}: ${state}${detail ? ` (${detail})` : ''}`);
  }

  private redraw(): void {
    const width = Math.max(...[...this.rows.keys()].map((k) => k.length));
    // a wrapped line would break the cursor-up count: cut details to the terminal's width
    const columns = (this.out.stdout as { columns?: number }).columns ?? 120;
    const room = Math.max(10, columns - width - 16);
    const lines = [...this.rows].map(([name, { state, detail }]) => {
      const mark = this.out.paint(TONES[state] ?? 'info', state.padEnd(10));
      const text = detail.length > room ? `${detail.slice(0, room - 1)}…` : detail;
      return `  ${name.padEnd(width)}  ${mark} ${this.out.paint('dim', text)}`;
    });
    // move up over the block drawn last time, rewrite every line (clearing its tail)
    const up = this.drawn > 0 ? `\u001b[${this.drawn}F` : '';
    this.out.stdout.write(`${up}${lines.map((l) => `${l}\u001b[K`).join('\n')}\n`);
    this.drawn = lines.length;
  }

  /** Lines printed after this start below the block (no more redraws of it). */
  done(): void {
    this.drawn = 0;
  }
}
