import type { ControlTarget } from '../../src/control';

/** A worker stand-in for control handlers: records what they asked for. */
export class FakeTarget implements ControlTarget {
  concurrency = 4;
  readonly calls: unknown[][] = [];
  readonly queues = new Set(['default']);
  constructor(private readonly tasks = ['noop']) {}

  hasTask(task: string): boolean {
    return this.tasks.includes(task);
  }
  setConcurrency(size: number): void {
    this.calls.push(['setConcurrency', size]);
    this.concurrency = size;
  }
  setAutoscale(max: number, min: number): void {
    this.calls.push(['setAutoscale', max, min]);
  }
  async restartPool(): Promise<void> {
    this.calls.push(['restartPool']);
  }
  addConsumer(queue: string): boolean {
    if (this.queues.has(queue)) return false;
    this.queues.add(queue);
    return true;
  }
  async consumerReady(queue: string): Promise<void> {
    this.calls.push(['consumerReady', queue]);
  }
  async cancelConsumer(queue: string): Promise<boolean> {
    return this.queues.delete(queue);
  }
  setRateLimit(task: string, rate: string): void {
    this.calls.push(['setRateLimit', task, rate]);
  }
  setTimeLimit(task: string, soft: number | null, hard: number | null): void {
    this.calls.push(['setTimeLimit', task, soft, hard]);
  }
  revoke(id: string, terminate: boolean): boolean {
    this.calls.push(['revoke', id, terminate]);
    return terminate && id === 'running';
  }
  requestShutdown(reason: string): void {
    this.calls.push(['requestShutdown', reason]);
  }
}
