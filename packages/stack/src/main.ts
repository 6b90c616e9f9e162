#!/usr/bin/env node
import { runStack } from './run';

// Ctrl-C (or SIGTERM) aborts what runs: a foreground `up` stops what it started, `logs -f` ends.
// A second Ctrl-C exits at once (the started processes may then be left: pnpm stack down).
const controller = new AbortController();
let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${signal}: stopping (again to exit at once)\n`);
    controller.abort();
  });
}

runStack(process.argv.slice(2), { signal: controller.signal }).then(
  (code) => {
    process.exitCode = controller.signal.aborted && code !== 0 ? 130 : code;
  },
  (error: unknown) => {
    process.stderr.write(`stack: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
