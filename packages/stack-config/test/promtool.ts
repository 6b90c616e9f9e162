import { spawnSync } from 'node:child_process';

/**
 * promtool from Debian's `prometheus` package. testkit's findBinary('promtool', 'prometheus')
 * replaces this once testkit is on main; until then a local lookup with the same message.
 */
export function findPromtool(): string {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  if (found.status !== 0 || bin === '') {
    throw new Error('promtool not found: install the Debian package prometheus (apt-get install prometheus)');
  }
  return bin;
}

export interface PromtoolResult {
  status: number | null;
  output: string;
}

export function promtool(args: string[], cwd: string): PromtoolResult {
  const result = spawnSync(findPromtool(), args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
