import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors';

/** The project name of compose/docker-compose.yml (`name: reelwatch`). */
export const DEFAULT_PROJECT = 'reelwatch';

/**
 * The Compose project the CLI works on, as Compose itself would pick it without `-p`:
 * COMPOSE_PROJECT_NAME from the environment, else from the env file, else the file's own name.
 * The CLI then passes it to every Compose command with `-p`, so that both always agree.
 */
export function composeProjectName(env: NodeJS.ProcessEnv, envFile: Record<string, string>): string {
  const name = env.COMPOSE_PROJECT_NAME || envFile.COMPOSE_PROJECT_NAME || DEFAULT_PROJECT;
  // Compose's rule (docker/compose: loader.NormalizeProjectName and its validation)
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
    throw new StackError(
      'USAGE',
      `COMPOSE_PROJECT_NAME "${name}" is not a Compose project name: lowercase letters, digits, - and _, starting with a letter or digit`,
    );
  return name;
}

/** `--without a,b --without c` → [a, b, c] (empty names dropped, duplicates once). */
export function parseServiceList(values: string | boolean | string[] | undefined): string[] {
  const list = Array.isArray(values) ? values : typeof values === 'string' ? [values] : [];
  return [
    ...new Set(
      list
        .flatMap((v) => v.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** A service as `docker compose config --format json` prints it (what the plan needs of it). */
export interface ConfiguredService {
  depends_on?: Record<string, unknown>;
}

export interface ServicePlan {
  /** The services `up` names to Compose, in the order Compose lists them. */
  start: string[];
  /** Everything left out: the ones asked for, then those that depend on them. */
  leftOut: string[];
  /** Left out only because they depend (directly or not) on a left-out service. */
  dependents: string[];
}

/**
 * Which services `up --without <names>` starts. Compose starts the dependencies of every service
 * it is given, so a service that depends on a left-out one is left out too (else Compose would
 * start the left-out one anyway). Names must be services of the active profiles.
 */
export function planServices(services: Record<string, ConfiguredService>, without: string[]): ServicePlan {
  const names = Object.keys(services);
  const unknown = without.filter((s) => !names.includes(s));
  if (unknown.length > 0)
    throw new StackError(
      'USAGE',
      `--without: no service ${unknown.join(', ')} in the active profiles; services: ${names.join(', ')}`,
    );
  const out = new Set(without);
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of names) {
      if (out.has(name)) continue;
      if (Object.keys(services[name]?.depends_on ?? {}).some((d) => out.has(d))) {
        out.add(name);
        changed = true;
      }
    }
  }
  const dependents = names.filter((n) => out.has(n) && !without.includes(n));
  return {
    start: names.filter((n) => !out.has(n)),
    leftOut: [...without, ...dependents],
    dependents,
  };
}

/**
 * `<state dir>/docker-<project>.json`: what `up --without` left out, so that `status`, `urls` and
 * the next `up` do not count those services as missing. `down` removes it.
 */
export interface DockerRecord {
  project: string;
  leftOut: string[];
}

export function dockerRecordFile(stateDir: string, project: string): string {
  return path.join(stateDir, `docker-${project}.json`);
}

export function readDockerRecord(stateDir: string, project: string): DockerRecord | undefined {
  const file = dockerRecordFile(stateDir, project);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as DockerRecord;
    return Array.isArray(record.leftOut) ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Records what was left out; nothing left out removes the record (a plain `up` starts everything). */
export function writeDockerRecord(stateDir: string, record: DockerRecord): void {
  const file = dockerRecordFile(stateDir, record.project);
  if (record.leftOut.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeDockerRecord(stateDir: string, project: string): void {
  rmSync(dockerRecordFile(stateDir, project), { force: true });
}
