import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forgetDir, reapDirOnExit } from './reaper';

const live = new Set<string>();

/** Temp dirs made by makeTempDir() that still exist (for the leak check). */
export function liveTempDirs(): string[] {
  return [...live].filter((dir) => existsSync(dir));
}

/**
 * A fresh directory under the OS temp dir, named `reelwatch-<label>-XXXXXX`, mode 700. With `owner`
 * it is chowned to that uid/gid (PostgreSQL runs as an unprivileged user when we are root).
 */
export function makeTempDir(label: string, owner?: { uid: number; gid: number }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `reelwatch-${label}-`));
  live.add(dir);
  reapDirOnExit(dir);
  chmodSync(dir, 0o700);
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

/** Removes a temp dir made by makeTempDir (recursively; missing is fine). */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  live.delete(dir);
  forgetDir(dir);
}
