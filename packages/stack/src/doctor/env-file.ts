import { existsSync } from 'node:fs';
import { checkEnvFile } from '../env-file';
import type { DoctorCheck, Finding } from './check';

/** .env: what Compose reads its passwords and ports from (compose/.env unless --env-file). */
export const envFileCheck: DoctorCheck = {
  name: '.env',
  run({ ctx, paths, envName, useDocker }) {
    if (!existsSync(paths.composeEnvExample))
      return [
        { check: '.env', severity: 'warning', message: 'compose/.env.example is not in this checkout' },
      ];
    const env = checkEnvFile(ctx.envFile, paths.composeEnvExample);
    if (!env.exists)
      return [
        {
          check: '.env',
          severity: 'warning',
          message: `${envName} does not exist (Compose needs it; the native stack does not)`,
          fix: `pnpm stack up (Docker) creates it with random passwords, or: cp compose/.env.example ${envName} and change every password`,
        },
      ];
    const findings: Finding[] = [];
    if (env.missing.length > 0)
      findings.push({
        check: '.env',
        severity: useDocker ? 'error' : 'warning',
        message: `${envName} lacks ${env.missing.join(', ')}`,
        fix: `copy those lines from compose/.env.example into ${envName}`,
      });
    if (env.placeholders.length > 0)
      findings.push({
        check: '.env',
        severity: 'warning',
        message: `${envName} still has the example's passwords: ${env.placeholders.join(', ')}`,
        fix: 'change them before the first `up` (the database volumes keep the passwords they start with)',
      });
    if (findings.length === 0)
      findings.push({
        check: '.env',
        severity: 'ok',
        message: `${envName} has every variable of compose/.env.example`,
      });
    return findings;
  },
};
