import type { StackContext } from '../context';
import type { DockerVersions } from '../docker/backend';
import type { NativeSettings } from '../native/settings';
import type { RepoPaths } from '../paths';

export type Severity = 'error' | 'warning' | 'ok';

export interface Finding {
  check: string;
  severity: Severity;
  message: string;
  /** What to do about it (absent when all is well). */
  fix?: string;
}

/** What every check may need, found out once before the checks run. */
export interface DoctorFacts {
  ctx: StackContext;
  paths: RepoPaths;
  docker: DockerVersions;
  /** `up` will use Compose (--mode docker, or auto with an engine). */
  useDocker: boolean;
  /** The Compose env file as the user would type it, and its values. */
  envName: string;
  envValues: Record<string, string>;
  /** The Compose project name, or why it is invalid. */
  project: { name: string } | { error: Error };
  settings: NativeSettings;
}

/** One check of `doctor`: isolated like a collector, a check that throws becomes a finding. */
export interface DoctorCheck {
  /** The name findings carry when the check itself fails. */
  name: string;
  /** Whether it applies (default: always). */
  applies?(facts: DoctorFacts): boolean;
  run(facts: DoctorFacts): Promise<Finding[]> | Finding[];
}
