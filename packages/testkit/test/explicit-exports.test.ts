import { readFileSync } from 'node:fs';
import { workspaceFiles } from './workspace-files';

// A package's surface is what its index names, one by one: `export *` exports whatever a module
// happens to hold, so a helper added for one caller silently becomes public API.
const EXPORT_STAR = /^\s*export\s+(type\s+)?\*/m;

describe('explicit exports', () => {
  const sources = workspaceFiles(['src']).filter((f) => f.file.endsWith('.ts'));

  test('finds the source files of the workspace', () => {
    expect(sources.length).toBeGreaterThan(100);
  });

  test('no source file under packages/*/src uses export *', () => {
    const offenders = sources
      .filter((f) => EXPORT_STAR.test(readFileSync(f.file, 'utf8')))
      .map((f) => f.relative);
    expect(offenders).toEqual([]);
  });

  test('the check recognises export * in its forms', () => {
    expect(EXPORT_STAR.test("export * from './config';")).toBe(true);
    expect(EXPORT_STAR.test("export * as grafana from './grafana';")).toBe(true);
    expect(EXPORT_STAR.test("export type * from './types';")).toBe(true);
    expect(EXPORT_STAR.test("export { a, type B } from './config';")).toBe(false);
  });
});
