import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';

// The chart README's values table comes from values.yaml itself: every leaf's description is the
// comment right above it, so the table and the defaults cannot disagree. A leaf without a
// comment is an error, not a blank cell.

export interface ValueRow {
  key: string;
  /** The default as one line of JSON. */
  default: string;
  description: string;
}

function commentText(comment: string | null | undefined): string {
  return (comment ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/** One row per leaf of values.yaml (a scalar, a list or an empty map), in file order. */
export function valueRows(valuesYaml: string): ValueRow[] {
  const doc = parseDocument(valuesYaml);
  if (doc.errors.length > 0) throw new Error(`values.yaml: ${doc.errors.map((e) => e.message).join('; ')}`);
  if (!isMap(doc.contents)) throw new Error('values.yaml: expected a map at the top');
  const rows: ValueRow[] = [];
  const missing: string[] = [];
  // yaml attaches the comment above a map's first key to the map itself
  const commentOf = (map: YAMLMap, index: number, top: boolean): string => {
    const pair = map.items[index]!;
    const own = isScalar(pair.key) ? commentText(pair.key.commentBefore) : '';
    if (own !== '' || index > 0 || top) return own;
    return commentText(map.commentBefore);
  };
  const documented = (map: YAMLMap): boolean =>
    map.items.some(
      (pair, i) =>
        commentOf(map, i, false) !== '' || (isMap(pair.value) && !pair.value.flow && documented(pair.value)),
    );
  const walk = (map: YAMLMap, prefix: string) => {
    map.items.forEach((pair, index) => {
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const key = prefix === '' ? name : `${prefix}.${name}`;
      const description = commentOf(map, index, prefix === '');
      const value = pair.value;
      // a map with documented keys is a section; a documented map of undocumented keys (resources, labels) is one value
      if (isMap(value) && value.items.length > 0 && !value.flow && documented(value)) {
        walk(value, key);
        return;
      }
      if (description === '') missing.push(key);
      const json = isMap(value) || isSeq(value) || isScalar(value) ? value.toJSON() : value;
      rows.push({ key, default: JSON.stringify(json ?? null), description });
    });
  };
  walk(doc.contents, '');
  if (missing.length > 0) throw new Error(`values.yaml: no comment above ${missing.join(', ')}`);
  return rows;
}

/** The name of the README block the table lives in (`<!-- values:begin -->`). */
export const VALUES_BLOCK = 'values';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The Markdown table of valueRows. */
export function valuesTable(valuesYaml: string): string {
  const lines = ['| key | default | description |', '|---|---|---|'];
  for (const row of valueRows(valuesYaml)) {
    lines.push(`| \`${row.key}\` | \`${cell(row.default)}\` | ${cell(row.description)} |`);
  }
  return `${lines.join('\n')}\n`;
}
