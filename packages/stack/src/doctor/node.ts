import type { DoctorCheck } from './check';

export const nodeCheck: DoctorCheck = {
  name: 'node',
  run() {
    const major = Number(process.versions.node.split('.')[0]);
    return [
      major >= 20
        ? { check: 'node', severity: 'ok', message: `Node.js ${process.versions.node}` }
        : {
            check: 'node',
            severity: 'error',
            message: `Node.js ${process.versions.node} is too old`,
            fix: 'install Node.js 20 or newer',
          },
    ];
  },
};
