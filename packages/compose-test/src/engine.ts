import path from 'node:path';
import { run } from './run';

const script = path.resolve(__dirname, '../bin/ensure-engine.sh');

/**
 * Makes sure a Docker engine with Compose v2 answers (bin/ensure-engine.sh: installs and starts
 * Debian's as root when none runs, fails naming what to install otherwise), then returns the
 * versions it reports.
 */
export async function ensureEngine(): Promise<{ engine: string; compose: string }> {
  await run('bash', [script], { echo: true, timeoutMs: 600_000 });
  const engine = (await run('docker', ['info', '--format', '{{.ServerVersion}}'])).stdout.trim();
  const compose = (await run('docker', ['compose', 'version', '--short'])).stdout.trim();
  return { engine, compose };
}
