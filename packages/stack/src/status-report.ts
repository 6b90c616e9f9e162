import type { PrometheusSummary } from './prometheus-status';

export type ComponentState =
  | 'healthy'
  | 'running'
  | 'starting'
  | 'unhealthy'
  | 'stopped'
  | 'completed'
  | 'skipped'
  | 'failed'
  /** exited and is being started again (native supervisor, Docker's restart policy) */
  | 'restarting'
  /** keeps exiting right after each start */
  | 'crash-looping';

export interface ComponentStatus {
  name: string;
  state: ComponentState;
  detail?: string;
  /** The component's own process id (native mode), for signals. */
  pid?: number;
  /** Restarts after unexpected exits since `up`. */
  restarts?: number;
}

export interface StatusReport {
  mode: 'docker' | 'native';
  running: boolean;
  healthy: boolean;
  components: ComponentStatus[];
  prometheus: PrometheusSummary | null;
  problems: string[];
  notes: string[];
}

/** States that count as fine: healthy, running without a healthcheck, a one-shot job done, not installed on purpose. */
export function stateIsFine(state: ComponentState): boolean {
  return state === 'healthy' || state === 'running' || state === 'completed' || state === 'skipped';
}

export function componentProblems(components: ComponentStatus[]): string[] {
  return components
    .filter((c) => !stateIsFine(c.state))
    .map((c) => `${c.name} is ${c.state}${c.detail ? `: ${c.detail}` : ''}`);
}
