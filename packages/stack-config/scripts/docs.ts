// `pnpm docs`: renders every generated block of the Markdown docs from the code and rewrites the files.
// Today: each service's configuration table (between <!-- config:begin --> and <!-- config:end -->
// in its package README), from its zod schema. packages/testkit/test/docs.test.ts fails when this
// would change a file; the README Ports table has its own generator (pnpm --filter @reelwatch/stack readme:ports).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { producerConfigSchema } from '../../event-producer/src/config';
import { ingestionConfigSchema } from '../../ingestion/src/config';
import { configSchema as kafkaExporterConfigSchema } from '../../kafka-exporter/src/config';
import { configSchema as pgExporterConfigSchema } from '../../pg-exporter/src/config';
import { renderConfigTable } from '../../service-kit/src/config';
import { monitorConfigSchema } from '../../task-monitor/src/config';
import { workerConfigSchema } from '../../task-worker/src/config';
import { replaceMarkedBlock } from '../../testkit/src/docs';
import { trainingSnapshotConfigSchema } from '../../training-snapshot/src/config';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** One generated block: the file (relative to the repo root), the block's name and its text. */
export interface GeneratedBlock {
  file: string;
  block: string;
  render: () => string;
}

export const GENERATED_BLOCKS: GeneratedBlock[] = [
  { file: 'packages/event-producer/README.md', schema: producerConfigSchema },
  { file: 'packages/ingestion/README.md', schema: ingestionConfigSchema },
  { file: 'packages/pg-exporter/README.md', schema: pgExporterConfigSchema },
  { file: 'packages/kafka-exporter/README.md', schema: kafkaExporterConfigSchema },
  { file: 'packages/task-worker/README.md', schema: workerConfigSchema },
  { file: 'packages/task-monitor/README.md', schema: monitorConfigSchema },
  { file: 'packages/training-snapshot/README.md', schema: trainingSnapshotConfigSchema },
].map(({ file, schema }) => ({ file, block: 'config', render: () => renderConfigTable(schema) }));

/** Every file whose generated blocks are out of date, with its text before and after. */
export function renderDocs(root = REPO_ROOT): { file: string; before: string; after: string }[] {
  const texts = new Map<string, { before: string; after: string }>();
  for (const g of GENERATED_BLOCKS) {
    const text = texts.get(g.file) ?? { before: readFileSync(path.join(root, g.file), 'utf8'), after: '' };
    text.after = replaceMarkedBlock(text.after || text.before, g.block, g.render());
    texts.set(g.file, text);
  }
  return [...texts].filter(([, t]) => t.after !== t.before).map(([file, t]) => ({ file, ...t }));
}

if (require.main === module) {
  const changed = renderDocs();
  for (const c of changed) writeFileSync(path.join(REPO_ROOT, c.file), c.after);
  console.log(
    changed.length === 0 ? 'docs: up to date' : `docs: rewrote ${changed.map((c) => c.file).join(', ')}`,
  );
}
