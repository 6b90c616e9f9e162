import type { ComposeProject } from '../compose-project';
import { run } from '../run';

/** What of the Compose project `project` is left on the engine: containers, volumes, networks. */
export async function leftovers(project: string): Promise<string[]> {
  const filter = `label=com.docker.compose.project=${project}`;
  const left: string[] = [];
  for (const kind of ['container', 'volume', 'network'] as const) {
    const args =
      kind === 'container' ? ['ps', '-a', '-q', '--filter', filter] : [kind, 'ls', '-q', '--filter', filter];
    const ids = (await run('docker', args)).stdout.trim();
    if (ids) left.push(`${kind}s: ${ids.split('\n').join(' ')}`);
  }
  return left;
}

/** `down -v` leaves no container, volume or network labelled with the project's name. */
export async function downLeavesNothing(project: ComposeProject): Promise<string> {
  await project.compose(['down', '-v', '--remove-orphans', '--timeout', '20']);
  const left = await leftovers(project.name);
  if (left.length > 0) throw new Error(`left behind: ${left.join('; ')}`);
  return 'no container, volume or network left';
}
