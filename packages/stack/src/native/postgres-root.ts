import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors';

/** As root, PostgreSQL (which refuses root) runs as another user: where its data can live. */
export interface RunAs {
  uid: number;
  gid: number;
}

export const SYSTEM_POSTGRES_BASE = '/var/lib/reelwatch-stack';

/** The root-owned home of PostgreSQL's data for one state dir: stable, one per state dir path. */
export function systemPostgresRoot(stateDir: string): string {
  const hash = createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 16);
  return path.join(SYSTEM_POSTGRES_BASE, hash);
}

/** The first parent of `dir` that `user` cannot enter (undefined: none). */
export function blockedFor(dir: string, user: RunAs): string | undefined {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (existsSync(d)) {
      const st = statSync(d);
      const others = (st.mode & 0o001) !== 0;
      const owner = st.uid === user.uid && (st.mode & 0o100) !== 0;
      const group = st.gid === user.gid && (st.mode & 0o010) !== 0;
      if (!others && !owner && !group) return d;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * The state dir, unless we are root and the postgres user cannot reach it: then the system
 * location. Data that already exists in one of them wins, so a stack keeps its data either way.
 */
export function choosePostgresRoot(stateDir: string, user: RunAs | undefined): string {
  if (!user) return stateDir;
  const system = systemPostgresRoot(stateDir);
  const hasData = (root: string) => existsSync(path.join(root, 'postgres-primary', 'data', 'PG_VERSION'));
  if (hasData(stateDir)) return stateDir;
  if (hasData(system)) return system;
  return blockedFor(stateDir, user) ? system : stateDir;
}

export function postgresRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd
      .split('\n')
      .find((line) => line.startsWith(`${name}:`))
      ?.split(':');
    if (fields && fields.length > 3) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new StackError(
    'START_FAILED',
    'running as root, but there is no `postgres` user to run PostgreSQL as',
  );
}
