import { findRepoRoot, type RepoPaths, repoPaths } from '@reelwatch/stack';

/** The repository's stack files; the repo root and the paths are @reelwatch/stack's (one finder). */
export type StackPaths = RepoPaths;

export function stackPaths(root: string = findRepoRoot(__dirname)): StackPaths {
  return repoPaths(root);
}
