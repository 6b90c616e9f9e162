import type { ContainerInfo, ContainerInspectInfo } from 'dockerode';
import { type ComponentState, type ComponentStatus, stateIsFine } from '../status-report';

// Labels Docker Compose puts on every container it creates (compose-spec, docker/compose api/labels.go).
export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const NUMBER_LABEL = 'com.docker.compose.container-number';
export const ONEOFF_LABEL = 'com.docker.compose.oneoff';

export interface ProjectContainer {
  id: string;
  name: string;
  service: string;
  number: number;
}

/**
 * The project's containers from GET /containers/json?all=1: by the project label (the list may
 * hold other projects' and plain containers), without `docker compose run` one-offs, sorted by
 * service then replica number.
 */
export function projectContainers(list: ContainerInfo[], project: string): ProjectContainer[] {
  return list
    .filter((c) => c.Labels?.[PROJECT_LABEL] === project && c.Labels?.[ONEOFF_LABEL] !== 'True')
    .map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      service: c.Labels[SERVICE_LABEL] ?? '?',
      number: Number(c.Labels[NUMBER_LABEL] ?? 1),
    }))
    .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
}

/** One container's state from GET /containers/<id>/json, healthcheck included. */
export function containerState(inspect: ContainerInspectInfo): {
  state: ComponentState;
  detail?: string;
  restarts?: number;
} {
  const restarts = inspect.RestartCount ?? 0;
  const own = ownState(inspect);
  return restarts > 0 ? { ...own, restarts } : own;
}

function ownState(inspect: ContainerInspectInfo): { state: ComponentState; detail?: string } {
  const s = inspect.State;
  switch (s.Status) {
    case 'running': {
      const health = s.Health?.Status;
      if (health === undefined || health === 'none') return { state: 'running' };
      if (health === 'healthy') return { state: 'healthy' };
      if (health === 'starting') return { state: 'starting' };
      const last = s.Health?.Log?.at(-1);
      const output = last?.Output?.trim().split('\n').at(-1);
      return {
        state: 'unhealthy',
        detail: `${s.Health?.FailingStreak ?? 0} failed checks${output ? `: ${output}` : ''}`,
      };
    }
    case 'exited': {
      // a one-shot job (restart: "no", e.g. kafka-init) that exited 0 has done its work
      const oneShot = (inspect.HostConfig.RestartPolicy?.Name ?? 'no') === 'no';
      if (s.ExitCode === 0 && oneShot) return { state: 'completed' };
      return { state: 'failed', detail: `exited with code ${s.ExitCode}${s.Error ? `: ${s.Error}` : ''}` };
    }
    case 'created':
      return { state: 'starting', detail: s.Status };
    case 'restarting':
      // Docker's restart policy is waiting to start it again after an exit
      return { state: 'restarting', detail: `exited with code ${s.ExitCode}` };
    case 'paused':
      return { state: 'unhealthy', detail: 'paused' };
    case 'dead':
      return { state: 'failed', detail: s.Error || 'dead' };
    default:
      return { state: 'stopped', detail: s.Status };
  }
}

const SEVERITY: ComponentState[] = [
  'crash-looping',
  'failed',
  'restarting',
  'unhealthy',
  'stopped',
  'starting',
  'running',
  'completed',
  'healthy',
  'skipped',
];

/**
 * One line per Compose service: a scaled service (ingestion x3) is only as good as its worst
 * replica, with the count of fine ones. Services expected but without any container are stopped;
 * those left out on purpose (`up --without`) and without a container are skipped.
 */
export function summarizeServices(
  containers: { service: string; name: string; state: ComponentState; detail?: string; restarts?: number }[],
  expected: string[] = [],
  leftOut: string[] = [],
): ComponentStatus[] {
  const byService = new Map<
    string,
    { state: ComponentState; detail?: string; name: string; restarts?: number }[]
  >();
  for (const service of [...expected, ...leftOut]) byService.set(service, []);
  for (const c of containers) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
  const services = [...byService].sort(([a], [b]) => a.localeCompare(b));
  return services.map(([service, replicas]) => {
    if (replicas.length === 0)
      return leftOut.includes(service)
        ? { name: service, state: 'skipped', detail: 'left out by up --without' }
        : { name: service, state: 'stopped', detail: 'no container' };
    const worst = replicas.reduce((a, b) => (SEVERITY.indexOf(b.state) < SEVERITY.indexOf(a.state) ? b : a));
    const fine = replicas.filter((r) => stateIsFine(r.state)).length;
    // one replica: its own detail; several: name each one that is not fine
    const details =
      replicas.length > 1
        ? replicas
            .filter((r) => !stateIsFine(r.state))
            .map((r) => `${r.name}: ${r.state}${r.detail ? ` (${r.detail})` : ''}`)
        : replicas.map((r) => r.detail ?? '');
    const count = replicas.length > 1 ? `${fine}/${replicas.length} replicas fine` : '';
    const restarts = replicas.reduce((sum, r) => sum + (r.restarts ?? 0), 0);
    const detail = [count, ...details, restarts > 0 ? `restarts ${restarts}` : ''].filter(Boolean).join('; ');
    return {
      name: service,
      state: worst.state,
      ...(detail ? { detail } : {}),
      ...(restarts > 0 ? { restarts } : {}),
    };
  });
}
