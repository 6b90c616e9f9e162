import type pino from 'pino';

export interface LifecycleOptions {
  logger: pino.Logger;
  /** The whole shutdown (every hook) must finish within this; default 10000 ms. */
  deadlineMs?: number;
  /** Default process.exit; injectable for tests. */
  exit?: (code: number) => void;
}

type ShutdownHook = { name: string; hook: (reason: string) => void | Promise<void> };

/**
 * Graceful shutdown. SIGTERM/SIGINT (or shutdown()) aborts `signal` so loops stop taking new work,
 * then runs the hooks in registration order, each awaited, all within deadlineMs, and exits:
 * 0 when every hook finished, 1 when a hook threw or the deadline passed (the log names the hook
 * that was still running). An unhandled rejection or uncaught exception is logged and exits 1.
 *
 * A second SIGTERM/SIGINT during shutdown is logged and otherwise ignored: `pnpm start` and similar
 * wrappers forward the terminal's Ctrl-C, so one keypress often arrives twice, and exiting on the
 * second would skip the hooks. The deadline bounds how long a stuck shutdown can take.
 */
export class Lifecycle {
  private readonly logger: pino.Logger;
  private readonly deadlineMs: number;
  private readonly exit: (code: number) => void;
  private readonly hooks: ShutdownHook[] = [];
  private readonly controller = new AbortController();
  private shutdownPromise: Promise<void> | undefined;
  private readonly removers: (() => void)[] = [];

  constructor(options: LifecycleOptions) {
    this.logger = options.logger.child({ unit: 'lifecycle' });
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  /** Aborted (with the reason) when shutdown starts. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopping(): boolean {
    return this.shutdownPromise !== undefined;
  }

  onShutdown(name: string, hook: (reason: string) => void | Promise<void>): void {
    this.hooks.push({ name, hook });
  }

  install(): this {
    if (this.removers.length > 0) return this;
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        this.logger.warn(
          { signal },
          'signal received while already shutting down; still waiting for the hooks',
        );
        return;
      }
      void this.shutdown(signal);
    };
    const onRejection = (reason: unknown) => {
      this.logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
      this.exit(1);
    };
    const onException = (err: Error) => {
      this.logger.fatal({ err }, 'uncaught exception; exiting');
      this.exit(1);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    this.removers.push(
      () => process.off('SIGTERM', onSignal),
      () => process.off('SIGINT', onSignal),
      () => process.off('unhandledRejection', onRejection),
      () => process.off('uncaughtException', onException),
    );
    return this;
  }

  /** Removes what install() added (tests that create several lifecycles in one process). */
  uninstall(): void {
    for (const remove of this.removers.splice(0)) remove();
  }

  /** Runs the shutdown once (later calls return the same promise) and then calls exit. */
  shutdown(reason: string): Promise<void> {
    this.shutdownPromise ??= this.runShutdown(reason);
    return this.shutdownPromise;
  }

  private async runShutdown(reason: string): Promise<void> {
    const started = Date.now();
    this.logger.info(
      { reason, hooks: this.hooks.map((h) => h.name), deadlineMs: this.deadlineMs },
      'shutting down',
    );
    this.controller.abort(reason);

    let current: string | undefined;
    let failed = false;
    const runHooks = async () => {
      for (const { name, hook } of this.hooks) {
        current = name;
        const hookStarted = Date.now();
        try {
          await hook(reason);
          this.logger.debug({ hook: name, ms: Date.now() - hookStarted }, 'shutdown hook finished');
        } catch (err) {
          failed = true;
          this.logger.error({ err, hook: name }, 'shutdown hook failed; running the remaining hooks');
        }
      }
      current = undefined;
      return 'done' as const;
    };

    let timer: NodeJS.Timeout | undefined;
    // Deliberately not unref()'d: a hook awaiting something that holds no handle must still hit the deadline.
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), this.deadlineMs);
    });
    const outcome = await Promise.race([runHooks(), deadline]);
    clearTimeout(timer);

    if (outcome === 'deadline') {
      this.logger.error(
        { hook: current, deadlineMs: this.deadlineMs },
        `shutdown deadline of ${this.deadlineMs} ms passed while hook ${current} was running; exiting 1`,
      );
      this.exit(1);
      return;
    }
    const code = failed ? 1 : 0;
    this.logger.info({ ms: Date.now() - started, code }, 'shutdown complete');
    this.exit(code);
  }
}
