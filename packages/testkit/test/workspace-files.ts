import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// The workspace as the repo-wide convention tests see it: every folder under packages/ with a
// package.json, whatever it is called today (folders get renamed; the tests must not name them).
export const repoRoot = path.resolve(__dirname, '../../..');
export const packagesDir = path.join(repoRoot, 'packages');

/** The folders whose .ts files the convention tests read; `src` ships, the others only run in dev. */
export const SOURCE_FOLDERS = ['src', 'test', 'bench', 'scripts'] as const;
export type SourceFolder = (typeof SOURCE_FOLDERS)[number];

export interface WorkspacePackage {
  /** The folder name under packages/. */
  folder: string;
  dir: string;
  manifest: {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
}

export interface WorkspaceFile {
  pkg: WorkspacePackage;
  folder: SourceFolder;
  /** Absolute path. */
  file: string;
  /** Path from the repo root, for messages. */
  relative: string;
}

export function workspacePackages(): WorkspacePackage[] {
  return readdirSync(packagesDir)
    .filter((folder) => existsSync(path.join(packagesDir, folder, 'package.json')))
    .sort()
    .map((folder) => {
      const dir = path.join(packagesDir, folder);
      return { folder, dir, manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) };
    });
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? walk(file) : [file];
  });
}

/** Every file (any extension) under the given folders of every package. */
export function workspaceFiles(folders: readonly SourceFolder[] = SOURCE_FOLDERS): WorkspaceFile[] {
  return workspacePackages().flatMap((pkg) =>
    folders.flatMap((folder) =>
      walk(path.join(pkg.dir, folder)).map((file) => ({
        pkg,
        folder,
        file,
        relative: path.relative(repoRoot, file),
      })),
    ),
  );
}
