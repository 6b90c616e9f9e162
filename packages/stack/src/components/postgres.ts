import { chmodSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors';
import { blockedFor } from '../native/postgres-root';
import type { NativeSettings } from '../native/settings';
import { baseEnv, ensureDir, HOST, port, requireBinary } from './support';

/** Shared by postgres-primary and postgres-replica: directories, arguments, launch. */
export type PostgresName = 'postgres-primary' | 'postgres-replica';

/** Where a PostgreSQL component keeps its data and socket (see NativeSettings.postgresRoot). */
export function postgresDir(s: NativeSettings, name: PostgresName): string {
  return path.join(s.postgresRoot, name);
}

/** The first parent of PostgreSQL's data root the postgres user cannot enter (undefined: none, or not root). */
export function postgresBlockedBy(s: NativeSettings): string | undefined {
  if (!s.postgresUser) return undefined;
  return blockedFor(s.postgresRoot, s.postgresUser);
}

/**
 * PostgreSQL runs as the `postgres` user when we are root: it must be able to reach its data dir
 * through every parent. Inside the state dir (reachable: settings checked that) the state dir
 * itself is ours to open (o+x); elsewhere it is the root-owned /var/lib/reelwatch-stack/<hash>
 * (0755 parents, nothing of the user's loosened).
 */
function ensureReachableByPostgres(s: NativeSettings): void {
  if (!s.postgresUser) return;
  mkdirSync(s.postgresRoot, { recursive: true, mode: 0o755 });
  if (s.postgresRoot !== s.stateDir) {
    for (let dir = s.postgresRoot; dir !== '/var/lib' && dir !== '/'; dir = path.dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o777) | 0o711);
    }
  } else {
    const mode = statSync(s.stateDir).mode;
    if ((mode & 0o001) === 0) chmodSync(s.stateDir, (mode & 0o777) | 0o711);
  }
  const blocked = postgresBlockedBy(s);
  if (blocked)
    throw new StackError(
      'START_FAILED',
      `PostgreSQL runs as the postgres user (it refuses root), which cannot enter ${blocked}: ` +
        `chmod o+x ${blocked}, or keep the state elsewhere: pnpm stack up --state-dir /var/tmp/reelwatch-stack`,
    );
}

/** A PostgreSQL server's directory (with its socket dir `run/`), reachable and owned by the user it runs as. */
export function preparePostgresDirs(s: NativeSettings, name: PostgresName): { dir: string; data: string } {
  ensureReachableByPostgres(s);
  const dir = ensureDir(postgresDir(s, name), s.postgresUser);
  ensureDir(path.join(dir, 'run'), s.postgresUser);
  return { dir, data: path.join(dir, 'data') };
}

/** `postgres` in its directory, as the user it runs as, with `extraArgs` after the common ones. */
export function launchPostgres(s: NativeSettings, name: PostgresName, extraArgs: string[] = []) {
  const dir = postgresDir(s, name);
  return {
    command: requireBinary(s, 'postgres'),
    args: [
      '-D',
      path.join(dir, 'data'),
      '-p',
      String(port(s, name)),
      '-k',
      path.join(dir, 'run'),
      '-c',
      `listen_addresses=${HOST}`,
      ...extraArgs,
    ],
    env: { ...baseEnv(s, dir), LC_ALL: 'C' },
    cwd: dir,
    ...(s.postgresUser ?? {}),
  };
}
