import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { EventGenerator } from './event-generator';
import type { EventSender, OutgoingEvent } from './event-sender';
import { lineKey, lineTimeMs, lineType } from './line-type';

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface GenerateOptions {
  generator: EventGenerator;
  sender: EventSender;
  /** Events per second; 0 = as fast as Kafka acknowledges. */
  rate: number;
  /** Stop after this many events; 0 = never. */
  maxEvents: number;
  batchMax: number;
  signal?: AbortSignal;
}

/** Generates at a steady rate: every tick sends the events that became due since the start. */
export async function runGenerator(o: GenerateOptions): Promise<number> {
  const started = Date.now();
  let sent = 0;
  while (!o.signal?.aborted && (o.maxEvents === 0 || sent < o.maxEvents)) {
    let due = o.rate === 0 ? o.batchMax : Math.floor(((Date.now() - started) / 1000) * o.rate) - sent;
    if (o.maxEvents > 0) due = Math.min(due, o.maxEvents - sent);
    if (due <= 0) {
      await sleep(Math.max(5, Math.min(100, 1000 / Math.max(o.rate, 1))), o.signal);
      continue;
    }
    const batch: OutgoingEvent[] = [];
    for (let i = 0; i < Math.min(due, o.batchMax); i++) {
      const e = o.generator.next();
      batch.push({ key: e.key, line: e.line, type: e.type });
    }
    if (!(await o.sender.send(batch, o.signal))) break;
    sent += batch.length;
  }
  return sent;
}

export interface ReplayOptions {
  input: Readable;
  sender: EventSender;
  /** 1 = the original pace (from the lines' times), 10 = ten times faster, 0 = as fast as possible. */
  speed: number;
  batchMax: number;
  signal?: AbortSignal;
}

/** Replays lines (a file or stdin) in order; blank lines are skipped, everything else is sent as is. */
export async function runReplay(o: ReplayOptions): Promise<number> {
  const lines = createInterface({ input: o.input, crlfDelay: Number.POSITIVE_INFINITY });
  const startWall = Date.now();
  let firstTs: number | undefined;
  let pending: OutgoingEvent[] = [];
  let sent = 0;
  const flush = async () => {
    if (pending.length === 0) return true;
    const ok = await o.sender.send(pending, o.signal);
    if (ok) sent += pending.length;
    pending = [];
    return ok;
  };
  for await (const raw of lines) {
    if (o.signal?.aborted) break;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0) continue;
    if (o.speed > 0) {
      const ts = lineTimeMs(line);
      if (ts !== undefined) {
        firstTs ??= ts;
        const dueAt = startWall + (ts - firstTs) / o.speed;
        if (dueAt > Date.now() + 1) {
          if (!(await flush())) break;
          await sleep(dueAt - Date.now(), o.signal);
        }
      }
    }
    pending.push({ key: lineKey(line), line, type: lineType(line) });
    if (pending.length >= o.batchMax && !(await flush())) break;
  }
  if (!o.signal?.aborted) await flush();
  lines.close();
  return sent;
}
