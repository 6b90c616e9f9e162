import { postgresBlockedBy } from '../components/postgres';
import { blockedFor } from '../native/postgres-root';
import type { DoctorCheck } from './check';

/** As root, PostgreSQL runs as the postgres user: it must reach its data dir. */
export const stateDirCheck: DoctorCheck = {
  name: 'state dir',
  applies: ({ useDocker }) => !useDocker,
  run({ settings }) {
    const blocked = postgresBlockedBy(settings);
    if (blocked)
      return [
        {
          check: 'state dir',
          severity: 'error',
          message: `PostgreSQL runs as the postgres user (it refuses root), which cannot enter ${blocked} on the way to ${settings.postgresRoot}`,
          fix: `chmod o+x ${blocked}, or keep the state elsewhere: pnpm stack up --state-dir /var/tmp/reelwatch-stack`,
        },
      ];
    if (!settings.postgresUser || settings.postgresRoot === settings.stateDir) return [];
    return [
      {
        check: 'state dir',
        severity: 'ok',
        message:
          `PostgreSQL runs as the postgres user, which cannot enter ${blockedFor(settings.stateDir, settings.postgresUser) ?? settings.stateDir}: ` +
          `its data goes to ${settings.postgresRoot} (root-owned; pnpm stack down --volumes removes it), the rest to ${settings.stateDir}`,
      },
    ];
  },
};
