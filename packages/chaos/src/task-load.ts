/**
 * The run's own task traffic, through task-monitor's API as any client sends tasks: every task it
 * sent (and the API accepted) is remembered with the end its arguments ask for, so the run can
 * check at the end that each reached exactly that terminal state. A share fails once and is
 * retried, a share fails for good (demo.unreliable), the rest succeed.
 */
export interface SentTask {
  id: string;
  name: string;
  args: Record<string, unknown>;
  expect: 'SUCCESS' | 'FAILURE';
  state?: string;
}

const TERMINAL = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

export class TaskLoad {
  readonly sent: SentTask[] = [];
  /** Sends the API refused or that failed (Redis down): the client knows they were not taken. */
  refused = 0;
  private timer: NodeJS.Timeout | undefined;
  private n = 0;

  constructor(
    private readonly monitorUrl: string,
    /** Basic auth where the stack sets it (Compose does). */
    private readonly headers: Record<string, string> = {},
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sendNext(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sendNext(): Promise<void> {
    const i = this.n++;
    // a fixed mix: 1 in 10 retried once, 1 in 20 failing for good, the rest succeed
    if (i % 20 === 7) await this.send('demo.unreliable', { failAttempts: 3 }, 'FAILURE');
    else if (i % 10 === 3) await this.send('demo.unreliable', { failAttempts: 1 }, 'SUCCESS');
    else if (i % 2 === 0) await this.send('noop', {}, 'SUCCESS');
    else await this.send('demo.unreliable', { failAttempts: 0 }, 'SUCCESS');
  }

  async send(
    name: string,
    args: Record<string, unknown>,
    expect: 'SUCCESS' | 'FAILURE',
  ): Promise<string | undefined> {
    try {
      const response = await fetch(`${this.monitorUrl}/api/task/async-apply/${name}`, {
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ kwargs: args }),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) {
        this.refused++;
        return undefined;
      }
      const body = (await response.json()) as { 'task-id': string };
      this.sent.push({ id: body['task-id'], name, args, expect });
      return body['task-id'];
    } catch {
      // refused or timed out: a timed-out send may still have been taken; counted apart
      this.refused++;
      return undefined;
    }
  }

  /** A slow task for the worker-kill fault. */
  async sendSlow(sleepMs: number): Promise<string> {
    const id = await this.send('demo.unreliable', { sleepMs }, 'SUCCESS');
    if (!id) throw new Error('task-monitor refused the slow task');
    return id;
  }

  async waitStarted(id: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await fetch(`${this.monitorUrl}/api/task/info/${id}`, { headers: this.headers }).catch(
        () => undefined,
      );
      if (response?.ok && ((await response.json()) as { state?: string }).state === 'STARTED') return;
      if (Date.now() > deadline) throw new Error(`task ${id} did not start within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Polls every unsettled task's result until each is terminal or `timeoutMs` passes. */
  async settle(timeoutMs: number): Promise<TaskSummary> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const open = this.sent.filter((t) => !t.state || !TERMINAL.has(t.state));
      for (const task of open) {
        const response = await fetch(`${this.monitorUrl}/api/task/result/${task.id}`, {
          headers: this.headers,
        }).catch(() => undefined);
        if (response?.ok) task.state = ((await response.json()) as { state: string }).state;
      }
      if (open.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    return this.summary();
  }

  summary(): TaskSummary {
    const unfinished = this.sent.filter((t) => !t.state || !TERMINAL.has(t.state));
    const wrong = this.sent.filter((t) => t.state && TERMINAL.has(t.state) && t.state !== t.expect);
    return {
      sent: this.sent.length,
      succeeded: this.sent.filter((t) => t.state === 'SUCCESS').length,
      failed: this.sent.filter((t) => t.state === 'FAILURE').length,
      unfinished: unfinished.map((t) => `${t.id} (${t.name}, ${t.state ?? 'unknown'})`),
      wrong: wrong.map(
        (t) => `${t.id} (${t.name} ${JSON.stringify(t.args)}: ${t.state}, expected ${t.expect})`,
      ),
      refused: this.refused,
    };
  }
}

export interface TaskSummary {
  sent: number;
  succeeded: number;
  failed: number;
  /** Tasks with no terminal state at the end: lost. */
  unfinished: string[];
  /** Tasks whose terminal state is not the one their arguments ask for. */
  wrong: string[];
  refused: number;
}
