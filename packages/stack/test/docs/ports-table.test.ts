import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMPONENTS } from '../../src/components';
import { PORTS_BEGIN, PORTS_END, renderPortsTable, replacePortsTable } from '../../src/docs/ports-table';
import { findRepoRoot } from '../../src/paths';

const readme = readFileSync(path.join(findRepoRoot(__dirname), 'README.md'), 'utf8');

describe('the README Ports table', () => {
  test('is the table the component list renders (regenerate: pnpm --filter @reelwatch/stack readme:ports)', () => {
    const begin = readme.indexOf(PORTS_BEGIN);
    const end = readme.indexOf(PORTS_END);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(begin);
    expect(readme.slice(begin + PORTS_BEGIN.length, end).trim()).toBe(renderPortsTable(COMPONENTS));
  });

  test('has a row for every component Compose gives a port', () => {
    const table = renderPortsTable(COMPONENTS);
    for (const c of COMPONENTS.filter((x) => x.compose.port !== undefined))
      expect(table).toContain(`| ${c.docs.label} | ${c.compose.port} |`);
  });

  test('replacePortsTable changes only what lies between the markers', () => {
    const text = `before\n${PORTS_BEGIN}\nold\n${PORTS_END}\nafter\n`;
    expect(replacePortsTable(text, 'new')).toBe(`before\n${PORTS_BEGIN}\nnew\n${PORTS_END}\nafter\n`);
    expect(() => replacePortsTable('no markers', 'new')).toThrow('no <!-- ports:begin -->');
  });
});
