import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * The shared fixtures folder, `../shared/fixtures` from the repo root. In a git worktree the
 * checkout lives elsewhere, so the main checkout's root (from git's common dir) is tried too.
 */
export function fixturePath(...parts: string[]): string {
  const candidates = [path.resolve(repoRoot, '../shared/fixtures')];
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    candidates.push(path.resolve(path.dirname(common), '../shared/fixtures'));
  } catch {
    // not a git checkout: only the first candidate applies
  }
  const dir = candidates.find((c) => existsSync(c));
  if (!dir) throw new Error(`shared fixtures not found; looked in ${candidates.join(', ')}`);
  const file = path.join(dir, ...parts);
  if (!existsSync(file)) throw new Error(`fixture missing: ${file}`);
  return file;
}
