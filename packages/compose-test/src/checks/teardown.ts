import type { ComposeProject } from '../compose-project';
import { run } from '../run';

/** `down -v` leaves no container, volume or network labelled with the project's name. */
export async function downLeavesNothing(project: ComposeProject): Promise<string> {
  await project.compose(['down', '-v', '--remove-orphans', '--timeout', '20']);
  const filter = `label=com.docker.compose.project=${project.name}`;
  const left: string[] = [];
  for (const kind of ['container', 'volume', 'network'] as const) {
    const args =
      kind === 'container' ? ['ps', '-a', '-q', '--filter', filter] : [kind, 'ls', '-q', '--filter', filter];
    const ids = (await run('docker', args)).stdout.trim();
    if (ids) left.push(`${kind}s: ${ids.split('\n').join(' ')}`);
  }
  if (left.length > 0) throw new Error(`left behind: ${left.join('; ')}`);
  return 'no container, volume or network left';
}
