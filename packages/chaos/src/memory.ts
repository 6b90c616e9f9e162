import type { StackHandle } from './stack-handle';

interface Sample {
  at: number;
  pid: number;
  mb: number;
}

export interface MemoryGrowth {
  component: string;
  /** RSS at the first sample after warm-up of the process that ran last, and at the end. */
  fromMb: number;
  toMb: number;
  growthMb: number;
  /** Processes seen (1 + restarts during the run). */
  processes: number;
}

/**
 * Samples every component's own process RSS (/proc/<pid>/status) through the run. Growth is
 * measured on the process that runs at the end, from its first sample after warm-up (a process
 * restarted by a fault starts its own warm-up), so a restart does not read as a leak or hide one.
 */
export class MemorySampler {
  private readonly samples = new Map<string, Sample[]>();
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;

  constructor(
    private readonly stack: StackHandle,
    private readonly components: string[],
    private readonly warmupMs: number,
  ) {}

  start(intervalMs: number): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sample();
  }

  async sample(now = Date.now()): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      for (const name of this.components) {
        const measured = await this.stack.rss(name).catch(() => undefined);
        if (measured === undefined) continue;
        const list = this.samples.get(name) ?? [];
        list.push({ at: now, pid: measured.pid, mb: measured.mb });
        this.samples.set(name, list);
      }
    } finally {
      this.sampling = false;
    }
  }

  growth(): MemoryGrowth[] {
    const out: MemoryGrowth[] = [];
    for (const [component, list] of this.samples) {
      const last = list[list.length - 1];
      if (!last) continue;
      const ofLast = list.filter((s) => s.pid === last.pid);
      const warm = ofLast.find((s) => s.at >= ofLast[0]!.at + this.warmupMs) ?? last;
      out.push({
        component,
        fromMb: warm.mb,
        toMb: last.mb,
        growthMb: last.mb - warm.mb,
        processes: new Set(list.map((s) => s.pid)).size,
      });
    }
    return out.sort((a, b) => b.growthMb - a.growthMb);
  }
}
