import { GoYamlDocument, relaxIndentation } from '../src/go-yaml';

/** The value at `key` of a one-level mapping, decoded as a Go string field. */
function stringAt(text: string, key: string): string {
  const doc = GoYamlDocument.parse(text, { uniqueKeys: true });
  const entry = doc.entries(doc.root, 'map').find(([k]) => k === key);
  if (!entry) throw new Error(`no key ${key}`);
  return doc.string(entry[1]);
}

// Each row: what libyaml's scanner (go-yaml v2 and v3 scannerc.go, yaml_parser_scan_flow_scalar and
// yaml_parser_fetch_next_token; read at go-yaml/yaml v2 7649d45 and v3) does with the text. The
// quoted-scalar loop checks only for a document marker at column 0 and for the end of the stream,
// never the indentation; in a flow collection unroll_indent returns early, so nothing is checked either.
const ACCEPTED: Array<[what: string, text: string, key: string, value: string]> = [
  ['a double-quoted value continued at its key’s column', 'a:\n  q: "x\n  y"\n  k: 1\n', 'a', ''],
  ['a double-quoted value continued at column 0', 'q: "select 1\nfrom t"\n', 'q', 'select 1 from t'],
  [
    'a single-quoted value continued at column 0, with an escaped quote',
    "q: 'it''s\nhere'\n",
    'q',
    "it's here",
  ],
  ['tabs before the continuation', 'q: "a\n\t\tb"\n', 'q', 'a b'],
  ['an empty line is a line feed', 'q: "a\n\nb"\n', 'q', 'a\nb'],
  ['an escaped line break joins without a space', 'q: "a\\\nb"\n', 'q', 'ab'],
  ['"---" not followed by a blank is content', 'q: "a\n---b"\n', 'q', 'a ---b'],
  ['a quote inside a block scalar is left alone', 'q: |\n  "a\n  b\n', 'q', '"a\nb\n'],
  ['a quote inside a plain scalar is left alone', 'q: it"s\n  b" c\n', 'q', 'it"s b" c'],
  ['a flow sequence continued at column 0', 'q: [1,\n2]\n', 'q', ''],
  [
    'nested flow collections and a quoted scalar in them, unindented',
    'a:\n  c: [ {x: "1\n2"},\n  [3,\n4]]\n  d: 1\n',
    'a',
    '',
  ],
  ['a comment with a bracket inside a flow collection', 'a:\n  b: [1, # ] not the end\n2]\n', 'a', ''],
];

const REJECTED: Array<[what: string, text: string, error: RegExp]> = [
  [
    'a document marker at column 0 inside a quoted scalar',
    'q: "a\n--- b"\n',
    /unexpected document indicator/,
  ],
  ['"..." at column 0 inside a quoted scalar', "q: 'a\n... b'\n", /unexpected document indicator/],
  ['a quoted scalar never closed', 'q: "a\nb\n', /unexpected end of stream/],
  ['a flow sequence never closed', 'q: [1,\n2\n', /closing bracket/],
  ['a plain scalar continued at its key’s column', 'a:\n  q: select 1\n  from t\n  k: 1\n', /line \d+/],
  ['a multi-line quoted key', '"a\nb": 1\n', /line \d+/],
  ['a control character', 'q: "a\u0007"\n', /control characters are not allowed/],
  ['a tab as block indentation', 'a:\n\tq: 1\n', /line 2/],
];

describe('go-yaml: the scanner leniency of libyaml', () => {
  it.each(ACCEPTED)('accepts %s', (_what, text, key, value) => {
    if (value === '') {
      expect(() => GoYamlDocument.parse(text, { uniqueKeys: true })).not.toThrow();
    } else {
      expect(stringAt(text, key)).toBe(value);
    }
  });

  it.each(REJECTED)('rejects %s', (_what, text, error) => {
    expect(() => GoYamlDocument.parse(text, { uniqueKeys: true })).toThrow(error);
  });

  it('reads a flow collection continued below its key the way go-yaml does', () => {
    const doc = GoYamlDocument.parse('a:\n  m: {x: 1,\ny: "two\nlines"}\n  k: 3\n', { uniqueKeys: true });
    const a = doc.entries(doc.root, 'map')[0]?.[1] ?? null;
    const fields = new Map(doc.entries(a, 'map').map(([k, v]) => [k, v]));
    const m = new Map(doc.entries(fields.get('m') ?? null, 'map').map(([k, v]) => [k, v]));
    expect(doc.float(m.get('x') ?? null)).toBe(1);
    expect(doc.string(m.get('y') ?? null)).toBe('two lines');
    expect(doc.uint(fields.get('k') ?? null)).toBe(3);
  });

  it('leaves spec-conformant text byte for byte as it is', () => {
    const text = 'a:\n  q: "x\n    y"  # c\n  b: |\n    "z\n  l: [1, "2"]\n';
    expect(relaxIndentation(text)).toBe(text);
  });
});

describe('go-yaml: typed decoding', () => {
  const parse = (text: string, uniqueKeys = false) => GoYamlDocument.parse(text, { uniqueKeys });
  const field = (doc: GoYamlDocument, key: string) =>
    doc.entries(doc.root, 'map').find(([k]) => k === key)?.[1] ?? null;

  it('puts any scalar’s text into a string field and null as the empty string', () => {
    const doc = parse('a: 1.0\nb: yes\nc: 2001-12-14\nd: ~\ne:\nf: !!str 010\n');
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => doc.string(field(doc, k)))).toEqual([
      '1.0',
      'yes',
      '2001-12-14',
      '',
      '',
      '010',
    ]);
    expect(doc.problems).toEqual([]);
  });

  it('reads YAML 1.1 booleans into a bool field and refuses a quoted one', () => {
    const doc = parse('a: yes\nb: On\nc: n\nd: TRUE\ne: "yes"\n');
    expect(['a', 'b', 'c', 'd'].map((k) => doc.bool(field(doc, k)))).toEqual([true, true, false, true]);
    doc.bool(field(doc, 'e'));
    expect(doc.problems).toEqual(['line 5: cannot unmarshal `yes` into bool']);
  });

  it('truncates a float into uint64 and refuses negatives, strings and sexagesimal numbers', () => {
    const doc = parse('a: 1.9\nb: 0x10\nc: -1\nd: "10"\ne: 1:30\n');
    expect(doc.uint(field(doc, 'a'))).toBe(1);
    expect(doc.uint(field(doc, 'b'))).toBe(16);
    for (const k of ['c', 'd', 'e']) doc.uint(field(doc, k));
    expect(doc.problems.map((p) => p.split(':')[0])).toEqual(['line 3', 'line 4', 'line 5']);
  });

  it('keeps the last of repeated keys (yaml.v2 Unmarshal) or rejects them (yaml.v3)', () => {
    const doc = parse('a: 1\na: 2\n');
    expect(doc.string(doc.struct(doc.root, 'T', ['a'], false).get('a') ?? null)).toBe('2');
    expect(() => parse('a: 1\na: 2\n', true)).toThrow(/line 2/);
  });

  it('expands << merges and aliases', () => {
    const doc = parse('base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n');
    expect(doc.entries(field(doc, 'm'), 'map').map(([k]) => k)).toEqual(['x', 'y']);
  });

  it('reports unknown fields only where yaml.v3 KnownFields would', () => {
    const doc = parse('a: 1\nb: 2\n');
    expect([...doc.struct(doc.root, 'T', ['a'], false).keys()]).toEqual(['a']);
    expect(doc.problems).toEqual([]);
    doc.struct(doc.root, 'T', ['a'], true);
    expect(doc.problems).toEqual(['line 2: field b not found in type T']);
  });
});
