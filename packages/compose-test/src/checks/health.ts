import { type ComposeProject, composeServices, isOneShot } from '../compose-project';

export interface HealthReport {
  healthy: number;
  services: number;
  problems: string[];
}

/**
 * Every started long-running service is running and healthy, and every one-shot exited 0, as
 * `docker compose ps -a` reports them (after `up --wait` has returned).
 */
export async function healthReport(project: ComposeProject, started: string[]): Promise<HealthReport> {
  const declared = composeServices();
  const states = await project.ps();
  const problems: string[] = [];
  let healthy = 0;
  for (const service of started) {
    const containers = states.filter((c) => c.Service === service);
    if (containers.length === 0) {
      problems.push(`${service}: no container`);
      continue;
    }
    const oneShot = isOneShot(declared[service] ?? {});
    const bad = containers.filter((c) =>
      oneShot ? c.State !== 'exited' || c.ExitCode !== 0 : c.State !== 'running' || c.Health !== 'healthy',
    );
    if (bad.length === 0) healthy++;
    for (const c of bad)
      problems.push(`${c.Name}: ${c.State}${c.Health ? `/${c.Health}` : ''} exit ${c.ExitCode}`);
  }
  return { healthy, services: started.length, problems };
}
