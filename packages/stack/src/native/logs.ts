import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { LogsOptions } from '../backend';
import type { Output } from '../output';
import { sleep } from '../sleep';
import { tail } from './wait';

/** `pnpm stack logs` natively: the last lines of each log, then (with follow) what is appended. */
export async function printLogs(
  chosen: [string, string][],
  options: LogsOptions,
  out: Output,
  signal: AbortSignal,
): Promise<void> {
  const prefix = (name: string) => (options.service ? '' : `${out.paint('info', name.padEnd(16))} | `);
  const write = (name: string, text: string) => {
    for (const line of text.split('\n')) if (line !== '') out.stdout.write(`${prefix(name)}${line}\n`);
  };
  const offsets = new Map<string, number>();
  for (const [name, file] of chosen) {
    write(name, tail(file, options.tail));
    offsets.set(name, statSync(file).size);
  }
  while (options.follow && !signal.aborted) {
    await sleep(300, signal);
    for (const [name, file] of chosen) {
      if (!existsSync(file)) continue;
      const size = statSync(file).size;
      let from = offsets.get(name) ?? 0;
      if (size < from) from = 0; // truncated (the mock Kafka's log at a restart)
      if (size === from) continue;
      const fd = openSync(file, 'r');
      const buffer = Buffer.alloc(size - from);
      readSync(fd, buffer, 0, buffer.length, from);
      closeSync(fd);
      offsets.set(name, size);
      write(name, buffer.toString('utf8'));
    }
  }
}
