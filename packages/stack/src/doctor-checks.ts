import { existsSync, statfsSync } from 'node:fs';
import path from 'node:path';
import type { StackContext } from './context';
import { type DockerVersions, displayPath, dockerVersions, runningProjectContainers } from './docker/backend';
import { composeProjectName } from './docker/project';
import { checkEnvFile, readEnvFile } from './env-file';
import { findBinary, packagesOf } from './native/binaries';
import { NATIVE_COMPONENTS, postgresBlockedBy, SERVICES, serviceEntry } from './native/components';
import { isRunning } from './native/processes';
import { blockedFor, nativeSettings } from './native/settings';
import { readState } from './native/state';
import { repoPaths } from './paths';
import { portTaken } from './probes';

export type Severity = 'error' | 'warning' | 'ok';

export interface Finding {
  check: string;
  severity: Severity;
  message: string;
  /** What to do about it (absent when all is well). */
  fix?: string;
}

const GiB = 1024 ** 3;

/** Ports Compose publishes on the host (compose/docker-compose.yml `ports:`), by their .env keys, with their defaults. */
export const COMPOSE_PUBLISHED_PORTS: Record<string, number> = {
  GRAFANA_PORT: 3000,
  PROMETHEUS_PORT: 9090,
  ALERTMANAGER_PORT: 9093,
  PUSHGATEWAY_PORT: 9091,
  TASK_MONITOR_PORT: 5555,
};

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

function nearestExisting(dir: string): string {
  let current = path.resolve(dir);
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

/** Every check `doctor` runs; each problem comes with its fix. Nothing is changed or installed. */
export async function runDoctor(ctx: StackContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const paths = repoPaths(ctx.root);

  const major = Number(process.versions.node.split('.')[0]);
  add(
    major >= 20
      ? { check: 'node', severity: 'ok', message: `Node.js ${process.versions.node}` }
      : {
          check: 'node',
          severity: 'error',
          message: `Node.js ${process.versions.node} is too old`,
          fix: 'install Node.js 20 or newer',
        },
  );

  const docker: DockerVersions = ctx.mode === 'native' ? {} : await dockerVersions(ctx.env);
  const useDocker = ctx.mode === 'docker' || (ctx.mode === 'auto' && docker.engine !== undefined);
  if (docker.engine)
    add({
      check: 'docker engine',
      severity: 'ok',
      message: `Docker engine ${docker.engine}${docker.api ? ` (API ${docker.api})` : ''}`,
    });
  else if (ctx.mode === 'native')
    add({ check: 'docker engine', severity: 'ok', message: 'not checked (--mode native)' });
  else
    add({
      check: 'docker engine',
      severity: ctx.mode === 'docker' ? 'error' : 'warning',
      message: `no Docker engine: ${docker.error ?? 'unreachable'}; pnpm stack up runs the stack natively instead`,
      fix: 'for the Compose stack: install Docker Engine (https://docs.docker.com/engine/install/), start it (systemctl start docker) and let your user use it (usermod -aG docker $USER)',
    });
  if (docker.compose)
    add({ check: 'docker compose', severity: 'ok', message: `Docker Compose ${docker.compose}` });
  else if (ctx.mode === 'native')
    add({ check: 'docker compose', severity: 'ok', message: 'not checked (--mode native)' });
  else
    add({
      check: 'docker compose',
      severity: useDocker ? 'error' : 'warning',
      message: 'the `docker compose` plugin is missing',
      fix: 'install the Compose plugin (Debian/Ubuntu: apt-get install docker-compose-plugin)',
    });

  // .env: what Compose reads its passwords and ports from (compose/.env unless --env-file)
  const envName = displayPath(ctx.root, ctx.envFile);
  const env = checkEnvFile(ctx.envFile, paths.composeEnvExample);
  if (!existsSync(paths.composeEnvExample)) {
    add({ check: '.env', severity: 'warning', message: 'compose/.env.example is not in this checkout' });
  } else if (!env.exists) {
    add({
      check: '.env',
      severity: 'warning',
      message: `${envName} does not exist (Compose needs it; the native stack does not)`,
      fix: `pnpm stack up (Docker) creates it with random passwords, or: cp compose/.env.example ${envName} and change every password`,
    });
  } else {
    if (env.missing.length > 0)
      add({
        check: '.env',
        severity: useDocker ? 'error' : 'warning',
        message: `${envName} lacks ${env.missing.join(', ')}`,
        fix: `copy those lines from compose/.env.example into ${envName}`,
      });
    if (env.placeholders.length > 0)
      add({
        check: '.env',
        severity: 'warning',
        message: `${envName} still has the example's passwords: ${env.placeholders.join(', ')}`,
        fix: 'change them before the first `up` (the database volumes keep the passwords they start with)',
      });
    if (env.missing.length === 0 && env.placeholders.length === 0)
      add({
        check: '.env',
        severity: 'ok',
        message: `${envName} has every variable of compose/.env.example`,
      });
  }
  const envValues = readEnvFile(ctx.envFile) ?? {};
  let project: string | undefined;
  try {
    project = composeProjectName(ctx.env, envValues);
  } catch (error) {
    add({
      check: 'compose project',
      severity: useDocker ? 'error' : 'warning',
      message: (error as Error).message,
      fix: 'unset COMPOSE_PROJECT_NAME or give it a valid name',
    });
  }

  // ports: those of the way `up` will run the stack
  const settings = nativeSettings({
    root: ctx.root,
    stateDir: ctx.stateDir,
    env: ctx.env,
    portBase: ctx.portBase,
  });
  const state = readState(settings.stateDir);
  const nativeRunning = state !== undefined && Object.values(state.processes).some(isRunning);
  const composeRunning =
    useDocker && docker.engine !== undefined && project !== undefined
      ? await runningProjectContainers(ctx.env, project).catch(() => 0)
      : 0;
  if (nativeRunning) {
    add({
      check: 'ports',
      severity: 'ok',
      message: `the native stack is running from ${settings.stateDir}: its ports are its own`,
    });
  } else if (composeRunning > 0) {
    add({
      check: 'ports',
      severity: 'ok',
      message: `the Compose project ${project} is running (${composeRunning} containers): its ports are its own`,
    });
  } else {
    const wanted: [string, number][] = useDocker
      ? composePublishedPorts(ctx.env, envValues)
      : NATIVE_COMPONENTS.filter((c) => c.port).map((c) => [c.name, c.port!(settings)!]);
    const taken: [string, number][] = [];
    for (const [name, port] of wanted) if (await portTaken(port)) taken.push([name, port]);
    for (const [name, port] of taken)
      add({
        check: 'ports',
        severity: 'error',
        message: `port ${port} (${name}) is taken by another process`,
        fix: useDocker
          ? `stop what listens on ${port} (ss -ltnp 'sport = :${port}'), or set ${name} in ${envName} to a free port`
          : `stop what listens on ${port} (ss -ltnp 'sport = :${port}'), or move the whole native stack: pnpm stack up --port-base <port>`,
      });
    if (taken.length === 0)
      add({ check: 'ports', severity: 'ok', message: `all ${wanted.length} ports free` });
  }

  // binaries of the native stack
  if (!useDocker) {
    for (const c of NATIVE_COMPONENTS) {
      if (c.name === 'kafka' && settings.externalKafka) continue;
      if (c.name === 'grafana') {
        const found = findBinary('grafana-server', ctx.env) ?? findBinary('grafana', ctx.env);
        add(
          found
            ? { check: 'binaries', severity: 'ok', message: `grafana: ${found}` }
            : {
                check: 'binaries',
                severity: 'warning',
                message:
                  "grafana-server/grafana is not on PATH: the native stack has no dashboards (Prometheus' UI instead)",
                fix: "install Grafana from Grafana Labs' apt repository (https://grafana.com/docs/grafana/latest/setup-grafana/installation/debian/)",
              },
        );
        continue;
      }
      for (const b of c.binaries) {
        if (findBinary(b.binary, ctx.env)) continue;
        if (findings.some((f) => f.message.startsWith(`${b.binary} is missing`))) continue;
        add({
          check: 'binaries',
          severity: c.optional ? 'warning' : 'error',
          message: `${b.binary} is missing (${c.name}${c.optional ? ', optional: skipped without it' : ''})`,
          fix: `apt-get install ${packagesOf([b]).join(' ')}${c.optional ? '' : ' (pnpm stack up does it itself on Debian as root)'}`,
        });
      }
    }
    const blocked = postgresBlockedBy(settings);
    if (blocked)
      add({
        check: 'state dir',
        severity: 'error',
        message: `PostgreSQL runs as the postgres user (it refuses root), which cannot enter ${blocked} on the way to ${settings.postgresRoot}`,
        fix: `chmod o+x ${blocked}, or keep the state elsewhere: pnpm stack up --state-dir /var/tmp/reelwatch-stack`,
      });
    else if (settings.postgresUser && settings.postgresRoot !== settings.stateDir)
      add({
        check: 'state dir',
        severity: 'ok',
        message:
          `PostgreSQL runs as the postgres user, which cannot enter ${blockedFor(settings.stateDir, settings.postgresUser) ?? settings.stateDir}: ` +
          `its data goes to ${settings.postgresRoot} (root-owned; pnpm stack down --volumes removes it), the rest to ${settings.stateDir}`,
      });
    if (!findings.some((f) => f.check === 'binaries' && f.severity !== 'ok'))
      add({ check: 'binaries', severity: 'ok', message: 'every binary of the native stack is installed' });
    const unbuilt = SERVICES.filter(
      (s) =>
        existsSync(path.join(ctx.root, 'packages', s.packageDir)) &&
        !existsSync(serviceEntry(ctx.root, s.packageDir)),
    );
    if (unbuilt.length > 0)
      add({
        check: 'build',
        severity: 'warning',
        message: `not built yet: ${unbuilt.map((s) => `packages/${s.packageDir}`).join(', ')}`,
        fix: 'pnpm build (pnpm stack up builds what is missing itself)',
      });
  }

  // disk space where the data goes (.stack natively; Docker's data root is usually on the same disk)
  try {
    const where = nearestExisting(settings.stateDir);
    const fs = statfsSync(where);
    const free = fs.bavail * fs.bsize;
    const text = `${(free / GiB).toFixed(1)} GiB free at ${where}`;
    if (free < 1 * GiB)
      add({
        check: 'disk',
        severity: 'error',
        message: text,
        fix: 'free some space: PostgreSQL, Prometheus and Kafka need at least 1 GiB',
      });
    else if (free < 5 * GiB)
      add({
        check: 'disk',
        severity: 'warning',
        message: text,
        fix: 'a day of data fits, a week may not: free some space',
      });
    else add({ check: 'disk', severity: 'ok', message: text });
  } catch (error) {
    add({
      check: 'disk',
      severity: 'warning',
      message: `could not read free space: ${(error as Error).message}`,
    });
  }
  return findings;
}
