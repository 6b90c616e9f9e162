import type { Request, Response } from 'express';
import type { TaskMonitor } from '../monitor';
import { workerState } from '../worker-state';
import type { LiveKind } from './layout';

/** How often the stream looks for changes; a page refreshes at most this often per kind. */
const CHECK_MS = 500;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
/** The broker is not evented: its pages are told to refresh this often. */
const BROKER_EVERY_MS = 3000;

/**
 * The pages' live updates as Server-Sent Events: every CHECK_MS the monitor's state is compared
 * with the last look (the time of the last event consumed, each worker's state, heartbeat and
 * pool), and a `change` event names the kinds that moved (`{"kinds":["workers","tasks"]}`). The
 * pages then fetch their live regions again. One timer serves every open page; none runs while no
 * page is open.
 */
export class LiveEvents {
  private readonly clients = new Set<Response>();
  private timer: NodeJS.Timeout | null = null;
  private lastTasks = -1;
  private lastWorkers = '';
  private lastBroker = 0;
  private lastKeepalive = 0;

  constructor(
    private readonly monitor: TaskMonitor,
    /** what a failed check does (it runs on a timer, where a throw would end the process) */
    private readonly onError: (err: unknown) => void = (err) =>
      process.emitWarning(`task-monitor live updates: ${(err as Error).message}`),
  ) {}

  get clientCount(): number {
    return this.clients.size;
  }

  /** GET handler: holds the response open as an event stream. */
  readonly handler = (req: Request, res: Response): void => {
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx would buffer the stream
    });
    res.flushHeaders();
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ at: Date.now() })}\n\n`);
    this.clients.add(res);
    req.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stopTimer();
    });
    if (!this.timer) {
      this.timer = setInterval(() => this.check(), CHECK_MS);
      this.timer.unref();
    }
  };

  /** Ends every open stream (the server is closing). */
  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private workersSignature(now: number): string {
    let sig = '';
    for (const w of this.monitor.state.workers.values()) {
      sig += `${w.hostname}|${workerState(w, now)}|${w.lastHeartbeat}|${w.active}|${w.processed}|${w.info.concurrency}|${w.info.queues.join(',')}\n`;
    }
    return sig;
  }

  private check(): void {
    // runs on a timer: a failure here must not become an uncaught exception of the monitor
    try {
      this.checkNow();
    } catch (err) {
      this.onError(err);
    }
  }

  private checkNow(): void {
    const nowMs = Date.now();
    const kinds: LiveKind[] = [];
    const tasks = this.monitor.lastEventTime;
    if (tasks !== this.lastTasks) {
      if (this.lastTasks !== -1) kinds.push('tasks');
      this.lastTasks = tasks;
    }
    const workers = this.workersSignature(nowMs / 1000);
    if (workers !== this.lastWorkers) {
      kinds.push('workers');
      this.lastWorkers = workers;
    }
    if (nowMs - this.lastBroker >= BROKER_EVERY_MS) {
      kinds.push('broker');
      this.lastBroker = nowMs;
    }
    let frame = '';
    if (kinds.length > 0) frame = `event: change\ndata: ${JSON.stringify({ kinds, at: nowMs })}\n\n`;
    else if (nowMs - this.lastKeepalive >= KEEPALIVE_MS) frame = ': keepalive\n\n';
    if (!frame) return;
    this.lastKeepalive = nowMs;
    for (const res of this.clients) res.write(frame);
  }
}
