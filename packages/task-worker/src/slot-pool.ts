/** A resizable counting semaphore: the worker's pool of task slots. */
export class SlotPool {
  active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(public size: number) {}

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(): Promise<void> | undefined {
    if (this.active < this.size) {
      this.active++;
      return undefined;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.active--;
    this.drain();
  }

  resize(size: number): void {
    this.size = size;
    this.drain();
  }

  private drain(): void {
    while (this.active < this.size && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()!();
    }
  }
}
