import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';
import { ExporterError } from './errors';

// postgres_exporter reads queries.yaml with gopkg.in/yaml.v2 and postgres_exporter.yml with
// gopkg.in/yaml.v3. Both share libyaml's scanner, which is more lenient than the YAML spec (and
// the `yaml` package) in one place that real files rely on: it never checks the indentation of
// the lines inside a quoted scalar or a flow collection ([...] / {...}). Upstream's own fixture
// exporter/tests/user_queries_ok.yaml continues a double-quoted query at the key's own column.
// Such lines are re-indented before the strict parser sees them: inside a quoted scalar (and
// between flow tokens) leading white space is never content, so the values do not change. What
// libyaml still rejects there, a document marker (`---`, `...`) at column 0 or a missing closing
// quote or bracket, is rejected here too. Typed decoding then follows go-yaml: any scalar's text
// into a string field, null into the zero value, YAML 1.1 booleans (yes/on/y), `<<` merges.

export class GoYamlError extends ExporterError {}

/** The character right after a document marker at column 0: blank, line break or the end. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?:[ \t\r\n]|$)/;
/** Index of the first character libyaml's reader refuses ("control characters are not allowed"), or -1. */
function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const allowed =
      c === 0x09 ||
      c === 0x0a ||
      c === 0x0d ||
      (c >= 0x20 && c <= 0x7e) ||
      c === 0x85 ||
      (c >= 0xa0 && c <= 0xfffd); // surrogate pairs (U+10000 and up) are allowed too
    if (!allowed) return i;
  }
  return -1;
}
const FLOW_INDICATOR = /[,[\]{}]/;
const BLANK_OR_END = /^(?:[ \t\r\n]|$)/;

function syntaxError(text: string, at: number, message: string): GoYamlError {
  const line = text.slice(0, at).split('\n').length;
  return new GoYamlError('YAML_INVALID', `line ${line}: ${message}`);
}

/** Index of the quote that closes the quoted scalar opening at `start`, by libyaml's rules. */
function quotedScalarEnd(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      i += 1;
      if (DOCUMENT_MARKER.test(text.slice(i, i + 4)))
        throw syntaxError(text, start, 'while scanning a quoted scalar: found unexpected document indicator');
    } else if (quote === "'" && c === "'") {
      if (text[i + 1] !== "'") return i;
      i += 2;
    } else if (quote === '"' && c === '"') {
      return i;
    } else if (quote === '"' && c === '\\' && text[i + 1] !== '\n') {
      i += 2; // an escape: the escaped character cannot close the scalar
    } else {
      i += 1;
    }
  }
  throw syntaxError(text, start, 'while scanning a quoted scalar: found unexpected end of stream');
}

/** Index of the bracket that closes the flow collection opening at `start`, by libyaml's rules. */
function flowCollectionEnd(text: string, start: number): number {
  let depth = 0;
  let inPlain = false; // inside a plain scalar, where quotes are ordinary characters
  let i = start;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1] ?? '';
    if (c === '\n') {
      i += 1;
      if (DOCUMENT_MARKER.test(text.slice(i, i + 4)))
        throw syntaxError(text, i, 'found a document indicator inside a flow collection');
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i += 1;
    } else if (c === '#' && (i === 0 || /[ \t\r\n]/.test(text[i - 1] as string))) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol;
      inPlain = false;
    } else if (c === '[' || c === '{') {
      depth += 1;
      inPlain = false;
      i += 1;
    } else if (c === ']' || c === '}') {
      depth -= 1;
      if (depth === 0) return i;
      inPlain = false;
      i += 1;
    } else if (c === ',') {
      inPlain = false;
      i += 1;
    } else if (c === ':' && (BLANK_OR_END.test(next) || FLOW_INDICATOR.test(next) || !inPlain)) {
      inPlain = false;
      i += 1;
    } else if (!inPlain && (c === '"' || c === "'")) {
      i = quotedScalarEnd(text, i) + 1;
    } else if (!inPlain && (c === '?' || c === '-') && BLANK_OR_END.test(next)) {
      i += 1;
    } else if (!inPlain && (c === '&' || c === '*' || c === '!')) {
      while (i < text.length && !/[ \t\r\n,[\]{}]/.test(text[i] as string)) i += 1;
    } else {
      inPlain = true;
      i += 1;
    }
  }
  throw syntaxError(text, start, "did not find the flow collection's closing bracket");
}

function columnOf(text: string, at: number): number {
  return at - (text.lastIndexOf('\n', at - 1) + 1);
}

/**
 * Rewrites the lines after the first one of text[start..end] so that each is indented by at least
 * `column` spaces (no tabs); white-space-only lines become empty. Returns undefined when no line changes.
 */
function reindent(text: string, start: number, end: number, column: number): string | undefined {
  const head = text.slice(0, start);
  const body = text.slice(start, end + 1);
  const tail = text.slice(end + 1);
  const lines = body.split('\n');
  let changed = false;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] as string;
    const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
    const rest = line.slice(lead.length);
    const blank = rest === '' || rest === '\r';
    const wanted = blank
      ? rest
      : lead.includes('\t') || lead.length < column
        ? ' '.repeat(column) + rest
        : line;
    if (wanted !== line) {
      lines[n] = wanted;
      changed = true;
    }
  }
  return changed ? head + lines.join('\n') + tail : undefined;
}

/** The lexer's synthetic tokens (document start, flow error end, scalar marker) are not source text. */
const SYNTHETIC = new Set(['\x02', '\x18', '\x1f']);

/**
 * The text with the first quoted scalar or flow collection (outside any flow collection) that the
 * `yaml` lexer cuts short re-indented; undefined when it cuts none short. The lexer finds where such
 * a construct starts (it knows block scalars, comments and plain scalars); libyaml's rules above
 * find where it ends, however its lines are indented. Text the lexer reads in full is left as it is.
 */
function rewriteFirstConstruct(text: string): string | undefined {
  let offset = 0;
  let depth = 0;
  let afterScalarMarker = false;
  let flow: { start: number; end: number } | undefined;
  for (const token of new Lexer().lex(text)) {
    if (SYNTHETIC.has(token)) {
      // '\x18': the lexer gave up on a flow collection, at an unexpected unindent
      if (token === '\x18' && flow) return reindent(text, flow.start, flow.end, columnOf(text, flow.start));
      if (token === '\x18') depth = 0;
      afterScalarMarker = token === '\x1f';
      continue;
    }
    const at = offset;
    offset += token.length;
    const first = token[0];
    const quoted = !afterScalarMarker && (first === '"' || first === "'");
    const opens = !afterScalarMarker && (token === '[' || token === '{');
    afterScalarMarker = false;
    if (depth === 0 && quoted) {
      const end = quotedScalarEnd(text, at);
      if (at + token.length !== end + 1) {
        const rewritten = reindent(text, at, end, columnOf(text, at));
        if (rewritten !== undefined) return rewritten;
      }
    }
    if (depth === 0 && opens) flow = { start: at, end: flowCollectionEnd(text, at) };
    if (opens) depth += 1;
    else if (token === ']' || token === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && flow) {
        // closed somewhere else than libyaml closes it: a quoted scalar inside was cut short
        if (at !== flow.end) return reindent(text, flow.start, flow.end, columnOf(text, flow.start));
        flow = undefined;
      }
    }
  }
  return flow ? reindent(text, flow.start, flow.end, columnOf(text, flow.start)) : undefined;
}

/** Text the spec-strict parser reads exactly as libyaml reads the original. */
export function relaxIndentation(text: string): string {
  let current = text;
  // every round fixes one construct for good, so there are at most as many rounds as lines
  const rounds = text.split('\n').length + 1;
  for (let round = 0; round < rounds; round++) {
    const next = rewriteFirstConstruct(current);
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

export interface GoYamlOptions {
  /** yaml.v3 rejects a repeated mapping key; yaml.v2's Unmarshal keeps the last value. */
  uniqueKeys: boolean;
}

/** A YAML document read as go-yaml reads it; `decode` errors carry go-yaml's `line N:` prefix. */
export class GoYamlDocument {
  readonly problems: string[] = [];

  private constructor(
    private readonly doc: Document.Parsed | undefined,
    private readonly lines: LineCounter,
  ) {}

  /** Parses the first document, as yaml.Unmarshal and Decoder.Decode do. */
  static parse(text: string, options: GoYamlOptions): GoYamlDocument {
    const control = firstControlCharacter(text);
    if (control !== -1) throw syntaxError(text, control, 'control characters are not allowed');
    const lines = new LineCounter();
    const docs = parseAllDocuments(relaxIndentation(text), {
      version: '1.1',
      merge: true,
      uniqueKeys: options.uniqueKeys,
      lineCounter: lines,
      prettyErrors: false,
    });
    const doc = Array.isArray(docs) ? docs[0] : undefined;
    const error = doc?.errors[0];
    if (error) {
      const line = lines.linePos(error.pos[0]).line;
      throw new GoYamlError('YAML_INVALID', `line ${line}: ${error.message}`, { cause: error });
    }
    return new GoYamlDocument(doc, lines);
  }

  get root(): Node | null {
    return this.resolve(this.doc?.contents ?? null);
  }

  line(node: Node | null): number {
    return node?.range ? this.lines.linePos(node.range[0]).line : 0;
  }

  private resolve(node: unknown): Node | null {
    let current = node;
    for (let hops = 0; isAlias(current) && hops < 100; hops++)
      current = this.doc ? current.resolve(this.doc) : null;
    return (current as Node | undefined) ?? null;
  }

  private isNull(node: Node | null): boolean {
    return node === null || (isScalar(node) && node.value === null);
  }

  private fail(node: Node | null, into: string): void {
    const tag = isMap(node)
      ? '!!map'
      : isSeq(node)
        ? '!!seq'
        : isScalar(node)
          ? `\`${String(node.source ?? node.value)}\``
          : '';
    this.problems.push(`line ${this.line(node)}: cannot unmarshal ${tag} into ${into}`);
  }

  /** A string field: null is '', any other scalar gives its text (`1.0`, `yes`, a date). */
  string(node: Node | null, into = 'string'): string {
    const n = this.resolve(node);
    if (this.isNull(n)) return '';
    if (isScalar(n)) return typeof n.value === 'string' ? n.value : String(n.source ?? n.value);
    this.fail(n, into);
    return '';
  }

  /** A bool field: YAML 1.1 booleans (true, yes, on, y, ... and their negatives); null is false. */
  bool(node: Node | null): boolean {
    const n = this.resolve(node);
    if (this.isNull(n)) return false;
    if (isScalar(n) && typeof n.value === 'boolean') return n.value;
    this.fail(n, 'bool');
    return false;
  }

  /** An unsigned integer field (uint64): a float is truncated as go-yaml does; null is 0. */
  uint(node: Node | null): number {
    const n = this.resolve(node);
    if (this.isNull(n)) return 0;
    // yaml 1.1 sexagesimal numbers (1:30) are strings to go-yaml
    if (isScalar(n) && typeof n.value === 'number' && n.value >= 0 && !String(n.source).includes(':'))
      return Math.trunc(n.value);
    this.fail(n, 'uint64');
    return 0;
  }

  /** A float64 field; null is 0. */
  float(node: Node | null): number {
    const n = this.resolve(node);
    if (this.isNull(n)) return 0;
    if (isScalar(n) && typeof n.value === 'number' && !String(n.source).includes(':')) return n.value;
    this.fail(n, 'float64');
    return 0;
  }

  /** A mapping's entries in order with `<<` merges expanded in place; null is empty. */
  entries(node: Node | null, into: string): Array<[key: string, value: Node | null, keyNode: Node | null]> {
    const n = this.resolve(node);
    if (this.isNull(n)) return [];
    if (!isMap(n)) {
      this.fail(n, into);
      return [];
    }
    const out: Array<[string, Node | null, Node | null]> = [];
    for (const pair of n.items) {
      const keyNode = this.resolve(pair.key);
      const value = this.resolve(pair.value);
      if (isScalar(keyNode) && keyNode.source === '<<' && keyNode.type === 'PLAIN') {
        const sources = isSeq(value) ? value.items.map((i) => this.resolve(i)) : [value];
        for (const source of sources) out.push(...this.entries(source, into));
        continue;
      }
      out.push([this.string(keyNode, 'string key'), value, keyNode]);
    }
    return out;
  }

  /** A sequence's items; null is empty. */
  items(node: Node | null, into: string): Array<Node | null> {
    const n = this.resolve(node);
    if (this.isNull(n)) return [];
    if (!isSeq(n)) {
      this.fail(n, into);
      return [];
    }
    return n.items.map((i) => this.resolve(i));
  }

  /** A struct: known fields by name; unknown ones are ignored (yaml.v2) or reported (yaml.v3 KnownFields). */
  struct(
    node: Node | null,
    into: string,
    fields: readonly string[],
    knownFields: boolean,
  ): Map<string, Node | null> {
    const out = new Map<string, Node | null>();
    for (const [key, value, keyNode] of this.entries(node, into)) {
      if (fields.includes(key)) out.set(key, value);
      else if (knownFields)
        this.problems.push(`line ${this.line(keyNode)}: field ${key} not found in type ${into}`);
    }
    return out;
  }
}
