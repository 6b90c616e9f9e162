import { readFileSync } from 'node:fs';
import path from 'node:path';
import { markedBlock } from '@reelwatch/testkit';
import { GENERATED_BLOCKS, REPO_ROOT, renderDocs } from '../scripts/docs';

describe('pnpm docs', () => {
  test('every generated block is up to date (regenerate: pnpm docs)', () => {
    expect(GENERATED_BLOCKS.length).toBeGreaterThan(0);
    for (const g of GENERATED_BLOCKS)
      expect({
        file: g.file,
        found: markedBlock(readFileSync(path.join(REPO_ROOT, g.file), 'utf8'), g.block) !== undefined,
      }).toEqual({
        file: g.file,
        found: true,
      });
    expect(renderDocs().map((c) => c.file)).toEqual([]);
  });
});
