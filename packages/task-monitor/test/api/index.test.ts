import { readdirSync } from 'node:fs';
import path from 'node:path';
import { API_RESOURCES } from '../../src/api';

const NOT_RESOURCES = new Set(['index.ts', 'http.ts']);

it('the API declares exactly one resource per file in src/api, named after the file', () => {
  const files = readdirSync(path.resolve(__dirname, '../../src/api'))
    .filter((f) => f.endsWith('.ts') && !NOT_RESOURCES.has(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  expect(API_RESOURCES.map((r) => r.name).sort()).toEqual(files);
});
