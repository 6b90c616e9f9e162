import type { DoctorCheck } from './check';

export const dockerEngineCheck: DoctorCheck = {
  name: 'docker engine',
  run({ ctx, docker }) {
    if (docker.engine)
      return [
        {
          check: 'docker engine',
          severity: 'ok',
          message: `Docker engine ${docker.engine}${docker.api ? ` (API ${docker.api})` : ''}`,
        },
      ];
    if (ctx.mode === 'native')
      return [{ check: 'docker engine', severity: 'ok', message: 'not checked (--mode native)' }];
    return [
      {
        check: 'docker engine',
        severity: ctx.mode === 'docker' ? 'error' : 'warning',
        message: `no Docker engine: ${docker.error ?? 'unreachable'}; pnpm stack up runs the stack natively instead`,
        fix: 'for the Compose stack: install Docker Engine (https://docs.docker.com/engine/install/), start it (systemctl start docker) and let your user use it (usermod -aG docker $USER)',
      },
    ];
  },
};
