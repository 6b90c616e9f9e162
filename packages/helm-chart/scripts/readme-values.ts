// Rewrites the values table of deploy/helm/reelwatch/README.md from values.yaml's comments.
// `--check` writes nothing and exits 1 when the table is out of date (a test does the same).
//   pnpm --filter @reelwatch/helm-chart run readme:values [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { markedBlock, replaceMarkedBlock } from '@reelwatch/testkit';
import { chartPaths, VALUES_BLOCK, valuesTable } from '../src';

const check = process.argv.includes('--check');
const paths = chartPaths();
const readme = path.join(paths.chart, 'README.md');
const text = readFileSync(readme, 'utf8');
const table = valuesTable(readFileSync(path.join(paths.chart, 'values.yaml'), 'utf8')).trimEnd();
const stale = markedBlock(text, VALUES_BLOCK) !== table;
const relative = path.relative(paths.root, readme);
if (stale && check) {
  process.stderr.write(
    `${relative}: values table out of date (run: pnpm --filter @reelwatch/helm-chart run readme:values)\n`,
  );
  process.exit(1);
}
if (stale) writeFileSync(readme, replaceMarkedBlock(text, VALUES_BLOCK, table));
process.stdout.write(
  stale ? `${relative}: values table rewritten\n` : `${relative}: values table up to date\n`,
);
