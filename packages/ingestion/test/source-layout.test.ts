import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../src');
const sources = readdirSync(SRC)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, text: readFileSync(path.join(SRC, f), 'utf8') }));

test('production code holds no test hooks (a test reaches in through options or handles instead)', () => {
  const hooks = sources.filter((s) => /ForTest\b/.test(s.text)).map((s) => s.file);
  expect(hooks).toEqual([]);
});

test('no ingestion source file is over 400 lines (split a busy unit along its seams instead)', () => {
  const long = sources.filter((s) => s.text.split('\n').length > 400).map((s) => s.file);
  expect(long).toEqual([]);
});

test('file names are kebab-case and index.ts names its exports (no export *)', () => {
  for (const { file } of sources) expect(file).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*\.ts$/);
  const index = sources.find((s) => s.file === 'index.ts')!;
  expect(index.text).not.toMatch(/^export \* from/m);
});
