import { execFileSync } from 'node:child_process';

/**
 * promtool from Debian's `prometheus` package. testkit's findBinary does this once it is on
 * main; until then a local lookup with the same failure message.
 */
export function findPromtool(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('promtool not found: install the Debian package prometheus (apt-get install prometheus)');
  }
}
