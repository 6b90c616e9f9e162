import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ComposeProject, REPO_ROOT } from '../compose-project';
import { runUnchecked } from '../run';

const CHAOS = path.join(REPO_ROOT, 'packages', 'chaos', 'dist', 'main.js');
const VERDICT =
  /^chaos: (\d+) faults, (\d+)\/(\d+) alerted and resolved, lost (\d+), duplicated (\d+), max RSS growth ([\d.]+) MB$/;

/**
 * `pnpm chaos --compose --short` against the project, as a user runs it against theirs: every
 * fault on the Compose topology (containers' processes killed and hung, services stopped and
 * started, restart policies bringing them back), each alert fired and resolved, nothing lost.
 * The run's lines go to the log; its verdict must be every fault alerted, lost 0, duplicated 0.
 */
export async function composeChaos(project: ComposeProject, log: (line: string) => void): Promise<string> {
  if (!existsSync(CHAOS)) throw new Error(`${CHAOS} is missing: run pnpm build first`);
  const r = await runUnchecked(
    process.execPath,
    [
      CHAOS,
      '--compose',
      '--short',
      '--seed',
      '13',
      '--project',
      project.name,
      '--env-file',
      project.envFilePath,
    ],
    { cwd: REPO_ROOT, timeoutMs: 1_200_000 },
  );
  const output = `${r.stdout}${r.stderr}`.trim();
  for (const line of output.split('\n')) log(line);
  const last = output.split('\n').at(-1) ?? '';
  const m = VERDICT.exec(last);
  if (r.code !== 0 || !m) throw new Error(`pnpm chaos exited ${r.code}: ${last}`);
  const [, faults, alerted, , lost, duplicated] = m.map(Number);
  if (alerted !== faults || lost !== 0 || duplicated !== 0) throw new Error(last);
  return last;
}
