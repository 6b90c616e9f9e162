import { readdirSync } from 'node:fs';
import path from 'node:path';
import { packagesDir, workspaceFiles } from './workspace-files';

// One file-naming style: kebab-case, every dot-separated part (`event-producer.e2e.int.test.ts`).
// The one exception is STYLE habit 2: pg-exporter's collector files carry their collector key
// (`stat_activity.ts` → collector `stat_activity`), and so do the tests named after them.
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$/;

function collectorKeys(): Set<string> {
  const dir = path.join(packagesDir, 'pg-exporter', 'src', 'collectors');
  return new Set(
    readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .map((name) => name.slice(0, -'.ts'.length)),
  );
}

/** A collector file, or a pg-exporter test file whose name before its first dot is a collector key. */
export function isNamedAfterCollector(relative: string, keys: Set<string>): boolean {
  const parts = relative.split('/');
  const base = parts.at(-1) ?? '';
  const key = base.split('.')[0] ?? '';
  if (parts[0] !== 'packages' || parts[1] !== 'pg-exporter' || !keys.has(key)) return false;
  if (parts[2] === 'src') return parts[3] === 'collectors' && parts.length === 5 && base === `${key}.ts`;
  return parts[2] === 'test' && base.endsWith('.test.ts');
}

describe('file names', () => {
  const files = workspaceFiles(['src', 'test', 'bench']);
  const keys = collectorKeys();

  test('finds the files of the workspace and the collectors of pg-exporter', () => {
    expect(files.length).toBeGreaterThan(300);
    expect(keys).toContain('stat_activity');
  });

  test('every file under packages/*/(src|test|bench) is named in kebab-case, bar pg-exporter collectors', () => {
    const offenders = files
      .map((f) => f.relative.split(path.sep).join('/'))
      .filter((rel) => !KEBAB.test(path.posix.basename(rel)) && !isNamedAfterCollector(rel, keys));
    expect(offenders).toEqual([]);
  });

  test('the exception covers collector files and tests named after them, nothing else', () => {
    const k = new Set(['stat_activity']);
    expect(isNamedAfterCollector('packages/pg-exporter/src/collectors/stat_activity.ts', k)).toBe(true);
    expect(isNamedAfterCollector('packages/pg-exporter/test/collectors/stat_activity.test.ts', k)).toBe(true);
    expect(isNamedAfterCollector('packages/pg-exporter/test/stat_activity.int.test.ts', k)).toBe(true);
    expect(isNamedAfterCollector('packages/pg-exporter/src/user_queries.ts', k)).toBe(false);
    expect(isNamedAfterCollector('packages/pg-exporter/test/user_queries.test.ts', k)).toBe(false);
    expect(isNamedAfterCollector('packages/ingestion/src/collectors/stat_activity.ts', k)).toBe(false);
    expect(isNamedAfterCollector('packages/pg-exporter/test/stat_activity.ts', k)).toBe(false);
  });

  test('the kebab-case pattern', () => {
    for (const ok of [
      'index.ts',
      'event-producer.e2e.int.test.ts',
      'dashboard-455.int.test.ts',
      'tiny-service.js',
    ])
      expect(KEBAB.test(ok)).toBe(true);
    for (const bad of ['user_queries.ts', 'userQueries.ts', 'Readme.md', 'a--b.ts', '-a.ts'])
      expect(KEBAB.test(bad)).toBe(false);
  });
});
