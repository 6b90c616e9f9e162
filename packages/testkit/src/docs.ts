// Generated blocks in Markdown files: the text between `<!-- name:begin -->` and `<!-- name:end -->`.
// `pnpm docs` rewrites them (packages/stack-config/scripts/docs.ts); tests read them back and compare with what the code renders.
import { readFileSync } from 'node:fs';

export function markers(name: string): { begin: string; end: string } {
  return { begin: `<!-- ${name}:begin -->`, end: `<!-- ${name}:end -->` };
}

/** The block's text without its markers and surrounding newlines, or undefined when the markers are missing. */
export function markedBlock(text: string, name: string): string | undefined {
  const { begin, end } = markers(name);
  const from = text.indexOf(begin);
  const to = text.indexOf(end, from + begin.length);
  if (from < 0 || to < 0) return undefined;
  return text
    .slice(from + begin.length, to)
    .replace(/^\n/, '')
    .replace(/\n$/, '');
}

/** The marked block of a file (see markedBlock). */
export function readMarkedBlock(file: string, name: string): string | undefined {
  return markedBlock(readFileSync(file, 'utf8'), name);
}

/** The text with the marked block's content replaced by `body`; throws when the markers are missing. */
export function replaceMarkedBlock(text: string, name: string, body: string): string {
  const { begin, end } = markers(name);
  const from = text.indexOf(begin);
  const to = text.indexOf(end, from + begin.length);
  if (from < 0 || to < 0) throw new Error(`no ${begin} ... ${end}`);
  return `${text.slice(0, from + begin.length)}\n${body}\n${text.slice(to)}`;
}

/** GitHub's anchor for each heading of a Markdown text (outside code fences), duplicates numbered -1, -2, ... */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('```')) fence = !fence;
    const m = fence ? null : /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const slug = (m[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** Every link target `[text](target)` of a Markdown text, outside code fences and inline code. */
export function markdownLinks(text: string): string[] {
  const links: string[] = [];
  let fence = false;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('```')) fence = !fence;
    if (fence) continue;
    const prose = line.replace(/`[^`]*`/g, '``');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) links.push(m[1] ?? '');
  }
  return links;
}
