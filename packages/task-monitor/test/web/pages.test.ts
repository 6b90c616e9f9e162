import { readdirSync } from 'node:fs';
import path from 'node:path';
import { WEB_PAGES } from '../../src/web';

describe('the web pages', () => {
  test('WEB_PAGES lists one page per file of src/web/pages, named as the file', () => {
    const files = readdirSync(path.resolve(__dirname, '../../src/web/pages'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -'.ts'.length))
      .sort();
    expect(WEB_PAGES.map((p) => p.name).sort()).toEqual(files);
  });

  test('every page has its own path', () => {
    const paths = WEB_PAGES.map((p) => p.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toEqual(expect.arrayContaining(['/', '/workers/:name', '/tasks', '/tasks/:id', '/broker']));
  });
});
