import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DATASOURCE,
  dashboards,
  listPanelQueries,
  renderDashboard,
  substituteVariables,
  writeDashboards,
} from '@reelwatch/dashboards';
import { findPromtool } from './promtool';

const repoRoot = path.resolve(__dirname, '../../..');
const committedDir = path.join(repoRoot, 'grafana', 'dashboards');

function jsonFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory())
      out.push(...jsonFilesUnder(path.join(dir, entry.name)).map((f) => path.join(entry.name, f)));
    else if (entry.name.endsWith('.json')) out.push(entry.name);
  }
  return out.sort();
}

interface PanelJson {
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr?: string; refId?: string; datasource?: { uid?: string } }[];
}

describe('generated dashboards', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'reelwatch-dashboards-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  test('regenerating writes exactly the committed files, byte for byte (run `pnpm dashboards` after a change)', () => {
    const written = writeDashboards(dashboards, tmp).sort();
    expect(existsSync(committedDir)).toBe(true);
    expect(jsonFilesUnder(committedDir)).toEqual(written);
    for (const file of written) {
      const fresh = readFileSync(path.join(tmp, file), 'utf8');
      const committed = readFileSync(path.join(committedDir, file), 'utf8');
      expect({ file, same: committed === fresh }).toEqual({ file, same: true });
    }
  });

  test('rendering the same dashboard twice gives identical bytes with sorted keys and a trailing newline', () => {
    for (const definition of dashboards) {
      const first = renderDashboard(definition);
      expect(renderDashboard(definition)).toBe(first);
      expect(first.endsWith('}\n')).toBe(true);
      const topKeys = Object.keys(JSON.parse(first));
      expect(topKeys).toEqual([...topKeys].sort());
    }
  });

  test('dashboard uids are the stable ones links and bookmarks use', () => {
    expect(dashboards.map((d) => d.uid)).toEqual([
      'reelwatch-pipeline-overview',
      'reelwatch-ingestion',
      'reelwatch-postgresql',
      'reelwatch-nodejs-runtime',
      'reelwatch-task-queue',
    ]);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
  });

  test('the dashboard list declares every module of src/dashboards and nothing else', () => {
    const modules = readdirSync(path.join(__dirname, '../src/dashboards'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(dashboards.map((d) => d.file).sort()).toEqual(modules);
  });

  test.each(dashboards.map((d) => [d.file, d] as const))(
    '%s: every panel uses the datasource variable, has a description, a unit and queries',
    (_file, definition) => {
      const json = JSON.parse(renderDashboard(definition)) as {
        templating: {
          list: { name: string; type: string; query?: unknown; datasource?: { uid?: string } }[];
        };
        panels: PanelJson[];
      };
      const variables = json.templating.list;
      expect(variables.find((v) => v.name === 'datasource')).toMatchObject({
        type: 'datasource',
        query: 'prometheus',
      });
      for (const v of variables.filter((x) => x.type === 'query'))
        expect(v.datasource?.uid).toBe(DATASOURCE.uid);

      const panels = json.panels.filter((p) => p.type !== 'row');
      expect(panels.length).toBeGreaterThan(3);
      for (const panel of panels) {
        const where = `${definition.file} / ${panel.title}`;
        expect({ where, datasource: panel.datasource }).toEqual({
          where,
          datasource: { type: 'prometheus', uid: DATASOURCE.uid },
        });
        expect({ where, description: (panel.description ?? '').length > 10 }).toEqual({
          where,
          description: true,
        });
        expect({ where, unit: (panel.fieldConfig?.defaults?.unit ?? '') !== '' }).toEqual({
          where,
          unit: true,
        });
        expect({ where, targets: (panel.targets ?? []).length > 0 }).toEqual({ where, targets: true });
        for (const target of panel.targets ?? []) {
          expect({ where, ds: target.datasource?.uid, expr: (target.expr ?? '').trim() !== '' }).toEqual({
            where,
            ds: DATASOURCE.uid,
            expr: true,
          });
        }
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
      }
    },
  );

  test('every panel query is valid PromQL (promtool parses them as recording rules)', () => {
    const promtool = findPromtool();
    const queries = listPanelQueries();
    expect(queries.length).toBeGreaterThan(50);
    const rules = queries.map((q, i) => ({ record: `panel_query_${i}`, expr: substituteVariables(q.expr) }));
    const file = path.join(tmp, 'panel-queries.yml');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'panel-queries', rules }] }));
    const out = execFileSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
    expect(out).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  test('substituteVariables fills interval built-ins and selects All for dashboard variables', () => {
    expect(substituteVariables('rate(x{server=~"$server"}[$__rate_interval])')).toBe(
      'rate(x{server=~".+"}[1m])',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${var} syntax under test
    expect(substituteVariables('x{a=~"${a}", b="$b"}', { b: 'one' })).toBe('x{a=~".+", b="one"}');
  });
});
