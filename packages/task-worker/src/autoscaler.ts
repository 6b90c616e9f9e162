export interface AutoscaleBounds {
  max: number;
  min: number;
}

/** Seconds of low demand (one tick a second) before the pool shrinks. */
export const AUTOSCALE_IDLE_TICKS = 3;

/**
 * One tick of Celery's autoscaler: grow to the demand (running + waiting for a slot) up to max at
 * once; shrink to the demand, down to min, after AUTOSCALE_IDLE_TICKS ticks in a row of lower demand.
 * `size` null = leave the pool as it is.
 */
export function autoscaleStep(
  pool: { size: number; demand: number },
  bounds: AutoscaleBounds,
  idleTicks: number,
): { size: number | null; idleTicks: number } {
  const { size, demand } = pool;
  if (demand > size && size < bounds.max) return { size: Math.min(bounds.max, demand), idleTicks: 0 };
  if (demand < size && size > bounds.min) {
    if (idleTicks + 1 >= AUTOSCALE_IDLE_TICKS) return { size: Math.max(bounds.min, demand), idleTicks: 0 };
    return { size: null, idleTicks: idleTicks + 1 };
  }
  return { size: null, idleTicks: 0 };
}

/** Runs autoscaleStep every second against the worker's pool while bounds are set. */
export class Autoscaler {
  bounds: AutoscaleBounds | null;
  private timer: NodeJS.Timeout | null = null;
  private idleTicks = 0;

  constructor(
    bounds: AutoscaleBounds | null,
    private readonly pool: () => { size: number; demand: number },
    private readonly resize: (size: number) => void,
  ) {
    this.bounds = bounds;
  }

  /** Starts ticking (once; a second call keeps the running timer). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  tick(): void {
    if (!this.bounds) return;
    const step = autoscaleStep(this.pool(), this.bounds, this.idleTicks);
    this.idleTicks = step.idleTicks;
    if (step.size !== null) this.resize(step.size);
  }
}
