import { maskDsn } from './mask';

export interface ReadinessCheckResult {
  name: string;
  ok: boolean;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessCheckResult[];
}

/**
 * Named readiness checks behind /readyz: a check that throws (or rejects, or takes longer than
 * timeoutMs) makes the service not ready. Checks run concurrently on each evaluation.
 */
export class Readiness {
  private readonly checks: { name: string; check: () => void | Promise<void> }[] = [];
  private readonly timeoutMs: number;

  constructor(options: { timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  add(name: string, check: () => void | Promise<void>): void {
    if (this.checks.some((c) => c.name === name))
      throw new Error(`readiness check ${name} is already registered`);
    this.checks.push({ name, check });
  }

  async evaluate(): Promise<ReadinessReport> {
    const checks = await Promise.all(this.checks.map(({ name, check }) => this.run(name, check)));
    return { ready: checks.every((c) => c.ok), checks };
  }

  private async run(name: string, check: () => void | Promise<void>): Promise<ReadinessCheckResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      await Promise.race([Promise.resolve().then(check), timeout]);
      return { name, ok: true };
    } catch (err) {
      return { name, ok: false, error: maskDsn(err instanceof Error ? err.message : String(err)) };
    } finally {
      clearTimeout(timer);
    }
  }
}
