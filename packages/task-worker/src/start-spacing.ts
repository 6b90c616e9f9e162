/** Spaces the starts of one task type: Celery's rate limit, applied per worker. */
export class StartSpacing {
  private next = 0;
  constructor(
    readonly text: string,
    private readonly intervalMs: number,
  ) {}

  /** milliseconds a start received at `now` waits */
  delay(now: number): number {
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    return at - now;
  }
}
