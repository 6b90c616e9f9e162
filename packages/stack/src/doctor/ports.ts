import { COMPONENTS, COMPOSE_PUBLISHED_PORTS } from '../components';
import { runningProjectContainers } from '../docker/backend';
import { isRunning } from '../native/processes';
import { readState } from '../native/state';
import { portTaken } from '../probes';
import type { DoctorCheck, DoctorFacts, Finding } from './check';

/** The host ports Compose will publish, as it interpolates them: environment, then env file, then default. */
export function composePublishedPorts(
  env: NodeJS.ProcessEnv,
  envFile: Record<string, string>,
): [string, number][] {
  return Object.entries(COMPOSE_PUBLISHED_PORTS).map(([key, fallback]) => [
    key,
    Number(env[key] || envFile[key] || fallback),
  ]);
}

/** Why the ports need no check (a stack of ours holds them), or undefined. */
async function ownedBy({
  ctx,
  docker,
  useDocker,
  project,
  settings,
}: DoctorFacts): Promise<string | undefined> {
  const state = readState(settings.stateDir);
  if (state !== undefined && Object.values(state.processes).some(isRunning))
    return `the native stack is running from ${settings.stateDir}: its ports are its own`;
  if (!useDocker || docker.engine === undefined || !('name' in project)) return undefined;
  const running = await runningProjectContainers(ctx.env, project.name).catch(() => 0);
  return running > 0
    ? `the Compose project ${project.name} is running (${running} containers): its ports are its own`
    : undefined;
}

/** The ports of the way `up` will run the stack. */
export const portsCheck: DoctorCheck = {
  name: 'ports',
  async run(facts) {
    const owner = await ownedBy(facts);
    if (owner) return [{ check: 'ports', severity: 'ok', message: owner }];
    const { ctx, useDocker, envName, envValues, settings } = facts;
    const wanted: [string, number][] = useDocker
      ? composePublishedPorts(ctx.env, envValues)
      : COMPONENTS.flatMap((c) => {
          const port = settings.ports[c.name];
          return c.nativePort !== undefined && port !== undefined ? [[c.name, port] as [string, number]] : [];
        });
    const findings: Finding[] = [];
    for (const [name, port] of wanted) {
      if (!(await portTaken(port))) continue;
      findings.push({
        check: 'ports',
        severity: 'error',
        message: `port ${port} (${name}) is taken by another process`,
        fix: useDocker
          ? `stop what listens on ${port} (ss -ltnp 'sport = :${port}'), or set ${name} in ${envName} to a free port`
          : `stop what listens on ${port} (ss -ltnp 'sport = :${port}'), or move the whole native stack: pnpm stack up --port-base <port>`,
      });
    }
    if (findings.length === 0)
      findings.push({ check: 'ports', severity: 'ok', message: `all ${wanted.length} ports free` });
    return findings;
  },
};
