import type { GeneratedEvent } from '@reelwatch/event-producer';
import { parseEventLine } from '../../src/parse-event-line';
import { mutate } from './mutate';

/**
 * Malformed Kafka message values for the at-scale test, by kind. Each is checked against the
 * strict parser here: a mutation that happens to leave a valid line is dropped, so every value
 * returned must end as a dead letter.
 */
export type MalformedKind =
  | 'field'
  | 'random_edit'
  | 'invalid_utf8'
  | 'control_character'
  | 'empty'
  | 'json'
  | 'huge';

export interface MalformedValue {
  kind: MalformedKind;
  /** What goes on the wire: text, raw bytes (invalid UTF-8) or null (a tombstone). */
  value: string | Buffer | null;
  /** Send uncompressed to this partition (huge lines: their real size must reach the broker). */
  partition?: number;
}

/** The message value as ingestion decodes it. */
export function decodedText(value: string | Buffer | null): string {
  if (value === null) return '';
  return typeof value === 'string' ? value : value.toString('utf8');
}

const rejected = (text: string): boolean => !parseEventLine(text).ok;

type Fields = Record<string, string>;

/** The fields of a generated line, and the function that puts them back together. */
function fieldsOf(e: GeneratedEvent): { fields: Fields; line: (f: Fields) => string } | undefined {
  const ts = e.line.slice(0, e.line.indexOf(','));
  if (e.type === 'watch') {
    return {
      fields: { ts, user: e.userId, movie: e.movieId, minute: String(e.minute) },
      line: (f) => `${f.ts},${f.user},GET /data/m/${f.movie}/${f.minute}.mpg`,
    };
  }
  if (e.type === 'rate') {
    return {
      fields: { ts, user: e.userId, movie: e.movieId, rating: String(e.rating) },
      line: (f) => `${f.ts},${f.user},GET /rate/${f.movie}=${f.rating}`,
    };
  }
  if (e.type === 'recommend') {
    return {
      fields: {
        ts,
        user: e.userId,
        host: e.host,
        status: String(e.status),
        results: e.results.join(', '),
        latency: String(e.latencyMs),
      },
      line: (f) =>
        `${f.ts},${f.user},recommendation request ${f.host}, status ${f.status}, result: ${f.results}, ${f.latency} ms`,
    };
  }
  return undefined;
}

/** Replacements a field must never accept (some depend on the field's valid value). */
const BAD_FIELD_VALUES: Record<string, (v: string) => string[]> = {
  ts: (v) => [
    '',
    'yesterday',
    v.replace(/^(\d{4})-\d\d/, '$1-13'),
    v.replace(/-\d\dT/, '-32T'),
    v.replace('T', ' '),
    v.replace(/T\d\d/, 'T25'),
    `${v}x`,
    v.replace(/^\d{4}/, '2200'),
    v.replace(/\.\d+/, '.1234567'),
    v.slice(0, 10),
  ],
  user: () => ['', '-1', '007', 'u1', '1.5', '99999999999999999999', ' 1', '\uFF11', '0x10'],
  movie: () => ['', 'The Matrix', 'a/b', 'x'.repeat(201), 'caf\u00e9', 'movie?', 'UPPER'],
  minute: () => ['', '-1', '100000', '1.5', '01', 'x', '1e3'],
  rating: () => ['0', '6', '', 'x', '3.5', '03', '-1'],
  host: () => ['', 'bad host', '-lead', 'x'.repeat(260), 'host:', 'host:123456', 'h_st'],
  status: () => ['', '99', '600', '2000', 'x', '020'],
  results: () => ['The Matrix', 'x'.repeat(201), 'a/b'],
  latency: () => ['', '-1', 'x', '2147483648', '1.0', '01'],
};

/** Every field of each event replaced by each of its bad values (the variants still valid dropped). */
export function fieldMutations(events: GeneratedEvent[]): MalformedValue[] {
  const out: MalformedValue[] = [];
  for (const e of events) {
    const shape = fieldsOf(e);
    if (!shape || shape.line(shape.fields) !== e.line) continue; // only lines the templates rebuild exactly
    for (const [name, value] of Object.entries(shape.fields)) {
      for (const bad of BAD_FIELD_VALUES[name]!(value)) {
        const line = shape.line({ ...shape.fields, [name]: bad });
        if (rejected(line)) out.push({ kind: 'field', value: line });
      }
    }
  }
  return out;
}

/** Random character edits of valid lines (test/support/mutate.ts), the ones the parser rejects. */
export function randomEdits(events: GeneratedEvent[], random: () => number): MalformedValue[] {
  const out: MalformedValue[] = [];
  for (const e of events) {
    const line = mutate(e.line, random);
    if (rejected(line)) out.push({ kind: 'random_edit', value: line });
  }
  return out;
}

/** Byte sequences no UTF-8 decoder accepts, dropped into valid lines. */
const INVALID_UTF8: number[][] = [
  [0x80],
  [0xff],
  [0xc3],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xfe, 0xfe, 0xff],
];

export function invalidUtf8(events: GeneratedEvent[], random: () => number): MalformedValue[] {
  return events.map((e, i) => {
    const bytes = Buffer.from(e.line, 'utf8');
    const at = Math.floor(random() * (bytes.length + 1));
    const bad = Buffer.from(INVALID_UTF8[i % INVALID_UTF8.length]!);
    return { kind: 'invalid_utf8', value: Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]) };
  });
}

/** A C0 control character or DEL inserted anywhere in a valid line (NUL included). */
export function controlCharacters(events: GeneratedEvent[], random: () => number): MalformedValue[] {
  return events.map((e, i) => {
    const code = i % 33 === 32 ? 0x7f : i % 33;
    const at = Math.floor(random() * (e.line.length + 1));
    return {
      kind: 'control_character',
      value: `${e.line.slice(0, at)}${String.fromCharCode(code)}${e.line.slice(at)}`,
    };
  });
}

/** Empty values: a tombstone (null), an empty string, and lines empty in every field. */
export function emptyValues(count: number): MalformedValue[] {
  const shapes: Array<string | null> = [
    null,
    '',
    ' ',
    ',',
    ',,',
    ', ,',
    '\u00a0',
    ',,GET /rate/=',
    ',,GET /data/m//.mpg',
  ];
  return Array.from({ length: count }, (_, i) => ({
    kind: 'empty' as const,
    value: shapes[i % shapes.length]!,
  }));
}

/** JSON of the wrong shape: the event as an object, an array, a quoted line, scalars. */
export function wrongJson(events: GeneratedEvent[]): MalformedValue[] {
  const out: MalformedValue[] = [];
  for (const [i, e] of events.entries()) {
    const shapes = [
      JSON.stringify(e),
      JSON.stringify({ line: e.line }),
      JSON.stringify(e.line),
      JSON.stringify(e.line.split(',')),
      JSON.stringify([e]),
      ['null', 'true', '0', '[]', '{}', '""'][i % 6]!,
    ];
    for (const s of shapes) if (rejected(s)) out.push({ kind: 'json', value: s });
  }
  return out;
}

/**
 * Lines beyond the parser's limit, up to past the broker's usual message size (Kafka's default
 * message.max.bytes is about 1 MB; the mock cluster enforces none but keeps only about 5 MB per
 * partition, so `sizes` must stay well below that per partition). Random base64 so that nothing
 * compresses them; the first is a valid line padded with spaces to its size.
 */
export function hugeLines(
  sizes: number[],
  partitions: number,
  random: () => number,
  valid: string,
): MalformedValue[] {
  const text = (n: number) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const chars = new Array<string>(n);
    for (let i = 0; i < n; i++) chars[i] = alphabet[Math.floor(random() * 64)]!;
    return chars.join('');
  };
  return sizes.map((size, i) => ({
    kind: 'huge' as const,
    value: i === 0 ? `${valid}${' '.repeat(Math.max(0, size - valid.length))}` : text(size),
    partition: i % partitions,
  }));
}
