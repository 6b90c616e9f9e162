import { accessSync, constants, readdirSync } from 'node:fs';
import path from 'node:path';

/** A server binary a test needs is not installed; the message names the Debian package to install. */
export class MissingBinaryError extends Error {
  readonly code = 'MISSING_BINARY';
  readonly retryable = false;
  readonly binary: string;
  readonly debianPackage: string;

  constructor(binary: string, debianPackage: string) {
    super(
      `${binary} not found: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`,
    );
    this.name = 'MissingBinaryError';
    this.binary = binary;
    this.debianPackage = debianPackage;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Debian installs PostgreSQL's server binaries (postgres, initdb, pg_ctl) under
 * /usr/lib/postgresql/<major>/bin, outside PATH; the highest installed major wins.
 */
function postgresBinDirs(root = '/usr/lib/postgresql'): string[] {
  let majors: string[];
  try {
    majors = readdirSync(root);
  } catch {
    return [];
  }
  return majors
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((major) => path.join(root, major, 'bin'));
}

const cache = new Map<string, string>();

/**
 * Absolute path of `binary`. PostgreSQL binaries are looked up in /usr/lib/postgresql/<highest>/bin
 * first (so initdb, postgres and pg_basebackup come from one major version even when PATH mixes
 * versions), then on PATH. Throws MissingBinaryError naming `debianPackage`.
 */
export function findBinary(binary: string, debianPackage: string): string {
  const key = `${binary}\0${process.env.PATH ?? ''}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const pathDirs = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  const dirs = debianPackage.startsWith('postgresql') ? [...postgresBinDirs(), ...pathDirs] : pathDirs;
  for (const dir of dirs) {
    const candidate = path.join(dir, binary);
    if (isExecutable(candidate)) {
      cache.set(key, candidate);
      return candidate;
    }
  }
  throw new MissingBinaryError(binary, debianPackage);
}
