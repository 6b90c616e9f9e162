import { COMPONENTS } from '../components';
import { findBinary, packagesOf } from '../native/binaries';
import type { DoctorCheck, Finding } from './check';

function grafanaFinding(env: NodeJS.ProcessEnv): Finding {
  const found = findBinary('grafana-server', env) ?? findBinary('grafana', env);
  return found
    ? { check: 'binaries', severity: 'ok', message: `grafana: ${found}` }
    : {
        check: 'binaries',
        severity: 'warning',
        message:
          "grafana-server/grafana is not on PATH: the native stack has no dashboards (Prometheus' UI instead)",
        fix: "install Grafana from Grafana Labs' apt repository (https://grafana.com/docs/grafana/latest/setup-grafana/installation/debian/)",
      };
}

/** The binaries of the native stack, each missing one once, with the package that has it. */
export const binariesCheck: DoctorCheck = {
  name: 'binaries',
  applies: ({ useDocker }) => !useDocker,
  run({ ctx, settings }) {
    const findings: Finding[] = [];
    const reported = new Set<string>();
    for (const c of COMPONENTS) {
      if (c.name === 'kafka' && settings.externalKafka) continue;
      if (c.name === 'grafana') {
        findings.push(grafanaFinding(ctx.env));
        continue;
      }
      for (const b of c.binaries) {
        if (findBinary(b.binary, ctx.env) || reported.has(b.binary)) continue;
        reported.add(b.binary);
        findings.push({
          check: 'binaries',
          severity: c.optional ? 'warning' : 'error',
          message: `${b.binary} is missing (${c.name}${c.optional ? ', optional: skipped without it' : ''})`,
          fix: `apt-get install ${packagesOf([b]).join(' ')}${c.optional ? '' : ' (pnpm stack up does it itself on Debian as root)'}`,
        });
      }
    }
    if (!findings.some((f) => f.severity !== 'ok'))
      findings.push({
        check: 'binaries',
        severity: 'ok',
        message: 'every binary of the native stack is installed',
      });
    return findings;
  },
};
