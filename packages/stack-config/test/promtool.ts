import { spawnSync } from 'node:child_process';
import { findBinary } from '@reelwatch/testkit';

/** promtool from Debian's `prometheus` package; a missing binary fails naming the package. */
export function findPromtool(): string {
  return findBinary('promtool', 'prometheus');
}

export interface PromtoolResult {
  status: number | null;
  output: string;
}

export function promtool(args: string[], cwd: string): PromtoolResult {
  const result = spawnSync(findPromtool(), args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
