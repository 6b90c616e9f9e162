import type { DoctorCheck } from './check';

export const composeProjectCheck: DoctorCheck = {
  name: 'compose project',
  run({ project, useDocker }) {
    if (!('error' in project)) return [];
    return [
      {
        check: 'compose project',
        severity: useDocker ? 'error' : 'warning',
        message: project.error.message,
        fix: 'unset COMPOSE_PROJECT_NAME or give it a valid name',
      },
    ];
  },
};
