import type { StackContext } from '../context';
import { displayPath, dockerVersions } from '../docker/backend';
import { composeProjectName } from '../docker/project';
import { readEnvFile } from '../env-file';
import { nativeSettings } from '../native/settings';
import { repoPaths } from '../paths';
import { binariesCheck } from './binaries';
import { buildCheck } from './build';
import type { DoctorCheck, DoctorFacts, Finding } from './check';
import { composeProjectCheck } from './compose-project';
import { diskCheck } from './disk';
import { dockerComposeCheck } from './docker-compose';
import { dockerEngineCheck } from './docker-engine';
import { envFileCheck } from './env-file';
import { nodeCheck } from './node';
import { portsCheck } from './ports';
import { stateDirCheck } from './state-dir';

export type { DoctorCheck, DoctorFacts, Finding, Severity } from './check';
export { composePublishedPorts } from './ports';

/** Every check `doctor` runs, in output order. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  nodeCheck,
  dockerEngineCheck,
  dockerComposeCheck,
  envFileCheck,
  composeProjectCheck,
  portsCheck,
  binariesCheck,
  stateDirCheck,
  buildCheck,
  diskCheck,
];

async function gatherFacts(ctx: StackContext): Promise<DoctorFacts> {
  const docker = ctx.mode === 'native' ? {} : await dockerVersions(ctx.env);
  const envValues = readEnvFile(ctx.envFile) ?? {};
  let project: DoctorFacts['project'];
  try {
    project = { name: composeProjectName(ctx.env, envValues) };
  } catch (error) {
    project = { error: error as Error };
  }
  return {
    ctx,
    paths: repoPaths(ctx.root),
    docker,
    useDocker: ctx.mode === 'docker' || (ctx.mode === 'auto' && docker.engine !== undefined),
    envName: displayPath(ctx.root, ctx.envFile),
    envValues,
    project,
    // a bad --port-base stops doctor as it stops up (a usage error, not a finding)
    settings: nativeSettings({
      root: ctx.root,
      stateDir: ctx.stateDir,
      env: ctx.env,
      portBase: ctx.portBase,
    }),
  };
}

/** Runs every check; each problem comes with its fix. Nothing is changed or installed. */
export async function runDoctor(
  ctx: StackContext,
  checks: readonly DoctorCheck[] = DOCTOR_CHECKS,
): Promise<Finding[]> {
  const facts = await gatherFacts(ctx);
  const findings: Finding[] = [];
  for (const check of checks) {
    if (check.applies && !check.applies(facts)) continue;
    try {
      findings.push(...(await check.run(facts)));
    } catch (error) {
      // a broken check is one finding, never a crashed doctor
      findings.push({
        check: check.name,
        severity: 'error',
        message: `the check itself failed: ${(error as Error).message}`,
      });
    }
  }
  return findings;
}
