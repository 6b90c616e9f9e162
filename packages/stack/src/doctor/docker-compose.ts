import type { DoctorCheck } from './check';

export const dockerComposeCheck: DoctorCheck = {
  name: 'docker compose',
  run({ ctx, docker, useDocker }) {
    if (docker.compose)
      return [{ check: 'docker compose', severity: 'ok', message: `Docker Compose ${docker.compose}` }];
    if (ctx.mode === 'native')
      return [{ check: 'docker compose', severity: 'ok', message: 'not checked (--mode native)' }];
    return [
      {
        check: 'docker compose',
        severity: useDocker ? 'error' : 'warning',
        message: 'the `docker compose` plugin is missing',
        fix: 'install the Compose plugin (Debian/Ubuntu: apt-get install docker-compose-plugin)',
      },
    ];
  },
};
