import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadAuthModules } from '../src/auth-modules';
import { loadUserQueries, userQueryFamilies } from '../src/user-queries';
import { fixturePath } from './fixtures';
import { UPSTREAM_FILES } from './upstream-files';

const dir = path.dirname(fixturePath('postgres_exporter', 'files', 'user_queries_ok.yaml'));
const sorted = <T>(items: T[], key: (t: T) => string) =>
  [...items].sort((a, b) => key(a).localeCompare(key(b)));

describe('upstream’s own query and config files load as in postgres_exporter', () => {
  it('has a row, written for the same bytes, for every file in the fixtures folder', () => {
    expect(readdirSync(dir).sort()).toEqual(UPSTREAM_FILES.map((f) => f.file).sort());
    for (const row of UPSTREAM_FILES) {
      const digest = createHash('sha256')
        .update(readFileSync(path.join(dir, row.file)))
        .digest('hex');
      expect([row.file, digest.slice(0, 16)]).toEqual([row.file, row.sha256]);
    }
  });

  it('needs go-yaml’s leniency for user_queries_ok.yaml: the strict parser alone rejects it', () => {
    const strict = YAML.parseDocument(readFileSync(path.join(dir, 'user_queries_ok.yaml'), 'utf8'));
    expect(strict.errors.map((e) => e.code)).toContain('MISSING_CHAR');
  });

  for (const row of UPSTREAM_FILES.filter((r) => r.kind === 'queries')) {
    it(`${row.file}: loads with upstream's namespaces and declares upstream's families (${row.source})`, () => {
      const loaded = loadUserQueries(path.join(dir, row.file));
      expect(loaded.error).toBeUndefined();
      expect(loaded.queries.map((q) => q.namespace).sort()).toEqual([...row.namespaces].sort());
      const families = loaded.queries.flatMap((q) => userQueryFamilies(q));
      const byName = (f: { name: string }) => f.name;
      expect(sorted(families, byName).map((f) => ({ ...f, labels: [...f.labels].sort() }))).toEqual(
        sorted(row.families, byName).map((f) => ({ ...f, labels: [...f.labels].sort() })),
      );
    });
  }

  it('user_queries_ok.yaml: the query continued at the key’s column reads as go-yaml folds it', () => {
    const loaded = loadUserQueries(path.join(dir, 'user_queries_ok.yaml'));
    const q = loaded.queries.find((x) => x.namespace === 'pg_locks_mode')?.query ?? '';
    // the line breaks fold into single spaces and the continuation lines' indentation is dropped
    expect(q).toContain('as datname, lockmodes AS tag_lockmode,');
    expect(q).toContain('AS count FROM unnest(');
    expect(q).not.toMatch(/\n| {2}lockmodes/);
  });

  for (const row of UPSTREAM_FILES.filter((r) => r.kind === 'config')) {
    it(`${row.file}: ${row.loads ? 'loads' : 'is rejected'} as upstream's config tests expect (${row.source})`, () => {
      const file = path.join(dir, row.file);
      if (row.loads) {
        const modules = loadAuthModules(file);
        expect(
          Object.fromEntries(
            [...modules].map(([name, m]) => [
              name,
              { type: m.type, username: m.username, options: m.options },
            ]),
          ),
        ).toEqual(row.modules);
      } else {
        expect(() => loadAuthModules(file)).toThrow(row.error);
      }
    });
  }
});
