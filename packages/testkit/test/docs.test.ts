import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { headingAnchors, markdownLinks, markedBlock, replaceMarkedBlock } from '../src/docs';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const SKIP = new Set(['node_modules', 'dist', '.git', '.stack']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') && e.isDirectory() && e.name !== '.ci') return [];
    if (SKIP.has(e.name)) return [];
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(p);
    return e.name.endsWith('.md') ? [p] : [];
  });
}

describe('marked blocks', () => {
  test('markedBlock and replaceMarkedBlock see only what lies between the markers', () => {
    const text = 'before\n<!-- config:begin -->\nold\n<!-- config:end -->\nafter\n';
    expect(markedBlock(text, 'config')).toBe('old');
    expect(markedBlock(text, 'ports')).toBeUndefined();
    expect(replaceMarkedBlock(text, 'config', 'new')).toBe(
      'before\n<!-- config:begin -->\nnew\n<!-- config:end -->\nafter\n',
    );
    expect(() => replaceMarkedBlock('no markers', 'config', 'x')).toThrow('no <!-- config:begin -->');
  });
});

describe('links in the Markdown docs', () => {
  test('headingAnchors follows GitHub: lower case, punctuation dropped, spaces to dashes, duplicates numbered', () => {
    const anchors = headingAnchors(
      '# Docker Compose, verified on a real engine\n## Benchmark (`pnpm bench:tasks`)\n## Benchmark\n## Benchmark\n```\n# not a heading\n```\n',
    );
    expect([...anchors]).toEqual([
      'docker-compose-verified-on-a-real-engine',
      'benchmark-pnpm-benchtasks',
      'benchmark',
      'benchmark-1',
    ]);
  });

  test('markdownLinks skips code', () => {
    expect(markdownLinks('[a](x.md) `[b](y.md)` [`c`](z.md#q)\n```\n[d](w.md)\n```\n')).toEqual([
      'x.md',
      'z.md#q',
    ]);
  });

  const files = markdownFiles(REPO_ROOT);
  test('finds the docs', () => {
    expect(files.map((f) => path.relative(REPO_ROOT, f))).toEqual(
      expect.arrayContaining(['README.md', 'docs/stack.md', 'packages/ingestion/README.md']),
    );
  });

  test.each(files.map((f) => [path.relative(REPO_ROOT, f)]))(
    '%s: every relative link resolves to a file, and every #anchor to a heading',
    (rel) => {
      const file = path.join(REPO_ROOT, rel);
      const broken: string[] = [];
      for (const link of markdownLinks(readFileSync(file, 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // http:, https:, mailto:
        const [target = '', anchor] = link.split('#', 2);
        const to = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
        if (!existsSync(to)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (anchor === undefined || statSync(to).isDirectory() || !to.endsWith('.md')) continue;
        if (!headingAnchors(readFileSync(to, 'utf8')).has(anchor)) broken.push(`${link}: no such heading`);
      }
      expect(broken).toEqual([]);
    },
  );
});
