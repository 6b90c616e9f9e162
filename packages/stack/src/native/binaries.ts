import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface BinaryRequirement {
  binary: string;
  debianPackage: string;
}

/** Debian keeps PostgreSQL's server binaries off PATH, in /usr/lib/postgresql/<major>/bin. */
const POSTGRES_BINARIES = new Set(['initdb', 'postgres', 'pg_basebackup', 'pg_ctl']);

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary's absolute path, from PATH (then Debian's PostgreSQL directory), or undefined. */
export function findBinary(binary: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, binary);
    if (executable(file)) return file;
  }
  if (POSTGRES_BINARIES.has(binary) && existsSync('/usr/lib/postgresql')) {
    const majors = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const file = path.join('/usr/lib/postgresql', major, 'bin', binary);
      if (executable(file)) return file;
    }
  }
  return undefined;
}

export function missingBinaries(
  requirements: BinaryRequirement[],
  env: NodeJS.ProcessEnv = process.env,
): BinaryRequirement[] {
  const seen = new Set<string>();
  return requirements.filter((r) => {
    if (seen.has(r.binary)) return false;
    seen.add(r.binary);
    return findBinary(r.binary, env) === undefined;
  });
}

export function packagesOf(requirements: BinaryRequirement[]): string[] {
  return [...new Set(requirements.map((r) => r.debianPackage))];
}

/** Installing with apt is only offered where it can work: Debian (or a derivative) as root. */
export function canAptInstall(): boolean {
  return existsSync('/etc/debian_version') && process.getuid?.() === 0;
}

export function aptInstall(packages: string[], say: (line: string) => void): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env,
    });
  let result = install();
  if (result.status !== 0) {
    say('apt-get install failed; refreshing the package lists (apt-get update) and trying again');
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    result = install();
  }
  return result.status === 0;
}
