import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import {
  packagesDir,
  type WorkspaceFile,
  type WorkspacePackage,
  workspaceFiles,
  workspacePackages,
} from './workspace-files';

// The root jest moduleNameMapper and tsconfig `paths` resolve `@reelwatch/<pkg>` for every
// package, and pnpm hoists nothing we could rely on either way, so an import that the importing
// package.json does not declare still works here and breaks in a package built or installed on
// its own. This test reads the imports instead of trusting the resolver.

const SPECIFIER = [
  /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bjest\.(?:mock|requireActual)\s*\(\s*['"]([^'"]+)['"]/g,
];

const BUILTINS = new Set(builtinModules);

/** The module specifiers a TypeScript file imports, re-exports, requires or mocks. */
export function importSpecifiers(text: string): string[] {
  const found = new Set<string>();
  for (const pattern of SPECIFIER) for (const match of text.matchAll(pattern)) found.add(match[1]!);
  return [...found];
}

/** The package a specifier names (`@scope/name/sub` → `@scope/name`), or undefined when exempt. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The workspace folder a relative import lands in when it leaves its own package, else undefined. */
function reachedFolder(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = path.relative(packagesDir, path.resolve(path.dirname(file), specifier));
  if (target.startsWith('..') || path.isAbsolute(target)) return undefined;
  return target.split(path.sep)[0];
}

interface Finding {
  file: string;
  imports: string;
  missingFrom: 'dependencies' | 'dependencies or devDependencies';
}

function findings(files: WorkspaceFile[], packages: WorkspacePackage[]): Finding[] {
  const nameOfFolder = new Map(packages.map((p) => [p.folder, p.manifest.name]));
  const out: Finding[] = [];
  for (const f of files) {
    const { name, dependencies = {}, devDependencies = {} } = f.pkg.manifest;
    const runtime = f.folder === 'src';
    const imported = new Set<string>();
    for (const specifier of importSpecifiers(readFileSync(f.file, 'utf8'))) {
      const folder = reachedFolder(f.file, specifier);
      const pkg = folder === undefined ? packageOf(specifier) : nameOfFolder.get(folder);
      if (pkg !== undefined && pkg !== name) imported.add(pkg);
    }
    for (const pkg of imported) {
      const declared = pkg in dependencies || (!runtime && pkg in devDependencies);
      if (!declared) {
        out.push({
          file: f.relative,
          imports: pkg,
          missingFrom: runtime ? 'dependencies' : 'dependencies or devDependencies',
        });
      }
    }
  }
  return out;
}

/** Cycles among workspace packages through dependencies and devDependencies, each as a path. */
export function dependencyCycles(packages: WorkspacePackage[]): string[][] {
  const edges = new Map(
    packages.map((p) => [
      p.manifest.name,
      Object.keys({ ...p.manifest.dependencies, ...p.manifest.devDependencies }).filter((d) =>
        packages.some((q) => q.manifest.name === d),
      ),
    ]),
  );
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    const at = trail.indexOf(name);
    if (at >= 0) {
      cycles.push([...trail.slice(at), name]);
      return;
    }
    if (done.has(name)) return;
    for (const next of edges.get(name) ?? []) visit(next, [...trail, name]);
    done.add(name);
  };
  for (const name of edges.keys()) visit(name, []);
  return cycles;
}

describe('workspace dependencies', () => {
  const packages = workspacePackages();
  // This file is left out: its own examples below are import statements in strings.
  const files = workspaceFiles().filter((f) => f.file.endsWith('.ts') && f.file !== __filename);

  test('finds the packages and their TypeScript files', () => {
    expect(packages.length).toBeGreaterThan(8);
    expect(files.length).toBeGreaterThan(200);
  });

  test("every import of another package is declared in the importing package's package.json", () => {
    expect(findings(files, packages)).toEqual([]);
  });

  // pnpm -r orders builds by these edges, and a cycle leaves the order undefined.
  test('the workspace packages depend on each other without a cycle', () => {
    expect(dependencyCycles(packages)).toEqual([]);
  });

  test('dependencyCycles finds a cycle through devDependencies', () => {
    const pkg = (name: string, dev: string[]): WorkspacePackage => ({
      folder: name,
      dir: name,
      manifest: { name, devDependencies: Object.fromEntries(dev.map((d) => [d, 'workspace:*'])) },
    });
    expect(dependencyCycles([pkg('a', ['b']), pkg('b', ['c']), pkg('c', [])])).toEqual([]);
    expect(dependencyCycles([pkg('a', ['b']), pkg('b', ['a'])])).toEqual([['a', 'b', 'a']]);
  });

  test('importSpecifiers reads static, type-only, side-effect, dynamic and re-export forms', () => {
    const text = [
      "import { a } from 'alpha';",
      "import type { B } from '@scope/beta/sub';",
      "import 'gamma';",
      "const d = await import('delta');",
      "export { e } from '../../epsilon/src';",
      "jest.mock('zeta');",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(
      ['../../epsilon/src', '@scope/beta/sub', 'alpha', 'delta', 'gamma', 'zeta'].sort(),
    );
  });

  test('packageOf names the package and exempts builtins and relative paths', () => {
    expect(packageOf('@reelwatch/testkit')).toBe('@reelwatch/testkit');
    expect(packageOf('@grafana/grafana-foundation-sdk/dashboard')).toBe('@grafana/grafana-foundation-sdk');
    expect(packageOf('pg-copy-streams')).toBe('pg-copy-streams');
    expect(packageOf('yaml/util')).toBe('yaml');
    expect(packageOf('node:fs')).toBeUndefined();
    expect(packageOf('fs/promises')).toBeUndefined();
    expect(packageOf('./config')).toBeUndefined();
  });
});
