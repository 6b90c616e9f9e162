import { type BatchAggregator, MAX_NUMERIC_USER_DIGITS } from './batch-aggregator';
import {
  daysFromCivil,
  daysInMonth,
  MAX_LATENCY_MS,
  MAX_LINE_LENGTH,
  MAX_MINUTE,
  MAX_MOVIE_ID_LENGTH,
  MAX_YEAR,
} from './parse-event-line';

/**
 * The byte-level fast path of ingestion: aggregates one line straight from the Kafka message's bytes,
 * without decoding it to a string and without building an event object (both were most of the
 * per-event garbage, and garbage collection was the largest single cost in the profile).
 *
 * It recognises only the common, plainly valid shapes:
 *
 *   YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z,<user id of 1-15 digits>,GET /data/m/<movie>/<minute>.mpg
 *   ...,GET /rate/<movie>=<1-5>
 *   ...,recommendation request <host>, status <code>, result: <movie>, ..., <n> ms
 *
 * in printable ASCII, and returns false for anything else, having changed nothing: the caller then
 * decodes the line and runs the strict parser (parse-event-line.ts), which accepts or rejects it
 * with its reason. So the fast path never decides that a line is bad, and everything it accepts the
 * strict parser accepts with the same fields (a differential test checks this on every corpus line).
 */
export class FastLineAggregator {
  /** Movie ids already seen, by a hash of their bytes: a repeated id costs no new string. */
  private readonly movies = new Map<number, string | string[]>();
  /** The last `YYYY-MM-DDTHH:` seen and its epoch µs (events arrive in time order, hours repeat). */
  private readonly hourText = new Uint8Array(14);
  private hourMicros = -1;
  /** FNV-1a hash of the id movieEnd last scanned (movie() uses it: one pass over the bytes). */
  private scannedHash = 0;

  /**
   * Aggregates the line in bytes b[start..end) into `agg`; false = not handled, nothing changed.
   * `b` may hold other lines around it: every position read is checked against `end` before a
   * line is accepted.
   */
  add(agg: BatchAggregator, b: Uint8Array, start: number, end: number): boolean {
    // <time>: fixed layout up to the seconds, then an optional fraction, then Z.
    if (end - start < 21 || end - start > MAX_LINE_LENGTH) return false;
    const hour = this.hour(b, start);
    if (hour < 0) return false;
    const mi = twoDigits(b, start + 14);
    const se = twoDigits(b, start + 17);
    if (b[start + 16] !== C_COLON || mi < 0 || mi > 59 || se < 0 || se > 59) return false;
    let i = start + 19;
    let micros = 0;
    if (b[i] === C_DOT) {
      i++;
      let n = 0;
      for (let c = b[i]!; i < end && c >= C_0 && c <= C_9 && n < 7; c = b[++i]!) {
        micros = micros * 10 + (c - C_0);
        n++;
      }
      if (n === 0 || n > 6) return false;
      for (; n < 6; n++) micros *= 10;
    }
    if (i + 1 >= end || b[i] !== C_Z || b[i + 1] !== C_COMMA) return false;
    const ts = hour + (mi * 60 + se) * 1_000_000 + micros;
    // <user id>: canonical decimal, short enough to be a number key.
    i += 2;
    const userFrom = i;
    let user = 0;
    for (let c = b[i]!; c >= C_0 && c <= C_9 && i < end; c = b[++i]!) user = user * 10 + (c - C_0);
    const userLen = i - userFrom;
    if (userLen === 0 || userLen > MAX_NUMERIC_USER_DIGITS || i >= end || b[i] !== C_COMMA) return false;
    if (b[userFrom] === C_0 && userLen > 1) return false;
    i++;
    if (startsWith(b, i, end, WATCH)) {
      // GET /data/m/<movie>/<minute>.mpg
      const movieFrom = i + WATCH.length;
      const slash = this.movieEnd(b, movieFrom, end);
      if (slash < 0 || slash >= end || b[slash] !== C_SLASH) return false;
      if (end - slash < 6 || !startsWith(b, end - 4, end, MPG)) return false;
      const minute = canonical(b, slash + 1, end - 4, 5);
      if (minute < 0 || minute > MAX_MINUTE) return false;
      agg.addWatch(ts, user, this.movie(b, movieFrom, slash), minute);
      return true;
    }
    if (startsWith(b, i, end, RATE)) {
      // GET /rate/<movie>=<rating>
      const movieFrom = i + RATE.length;
      const eq = this.movieEnd(b, movieFrom, end);
      if (eq < 0 || end !== eq + 2 || b[eq] !== C_EQUALS) return false;
      const rating = b[eq + 1]! - C_0;
      if (rating < 1 || rating > 5) return false;
      agg.addRate(ts, user, this.movie(b, movieFrom, eq), rating);
      return true;
    }
    if (startsWith(b, i, end, RECOMMEND))
      return this.recommendation(agg, b, i + RECOMMEND.length, end, ts, user);
    return false;
  }

  /** `<host>, status <code>, result: <movie>, ..., <n> ms` from `from` to the end of the line. */
  private recommendation(
    agg: BatchAggregator,
    b: Uint8Array,
    from: number,
    end: number,
    ts: number,
    user: number,
  ): boolean {
    // host: [A-Za-z0-9][A-Za-z0-9.-]{0,252}, then an optional :port of 1-5 digits.
    let i = from;
    for (; i < end; i++) {
      const c = b[i]!;
      if (isAlnum(c) || (i > from && (c === C_DOT || c === C_MINUS))) continue;
      break;
    }
    const nameLen = i - from;
    if (nameLen < 1 || nameLen > 253) return false;
    if (i < end && b[i] === C_COLON) {
      const portFrom = ++i;
      while (i < end && isDigit(b[i]!)) i++;
      if (i - portFrom < 1 || i - portFrom > 5) return false;
    }
    const hostEnd = i;
    if (!startsWith(b, i, end, STATUS)) return false;
    i += STATUS.length;
    if (end - i < 3) return false;
    const status = threeDigits(b, i);
    if (status < 100 || status > 599 || !startsWith(b, i + 3, end, RESULT)) return false;
    i += 3 + RESULT.length;
    // `<movie>, ` repeated, then `<n> ms` at the end of the line.
    let results = 0;
    for (;;) {
      const tokenEnd = this.movieEnd(b, i, end);
      if (tokenEnd < 0 || tokenEnd >= end) return false;
      if (b[tokenEnd] === C_SPACE) {
        // Only the last token may contain a space: `<n> ms`.
        if (!startsWith(b, tokenEnd, end, MS) || tokenEnd + MS.length !== end) return false;
        const latency = canonical(b, i, tokenEnd, 10);
        if (latency < 0 || latency > MAX_LATENCY_MS) return false;
        const host = latin1(b, from, hostEnd);
        agg.addRecommend(ts, user, host, status, results, latency);
        return true;
      }
      if (tokenEnd + 1 >= end || b[tokenEnd] !== C_COMMA || b[tokenEnd + 1] !== C_SPACE) return false;
      results++;
      i = tokenEnd + 2;
    }
  }

  /**
   * The end of a movie id starting at `from` (the first byte that cannot belong to one), or -1 when
   * no valid id starts there (slug charset: [a-z0-9] first, then [a-z0-9+\-._%'], at most 200).
   */
  private movieEnd(b: Uint8Array, from: number, end: number): number {
    if (from >= end || !isLowerAlnum(b[from]!)) return -1;
    let h = Math.imul(0x811c9dc5 ^ b[from]!, 0x01000193);
    let i = from + 1;
    while (i < end) {
      const c = b[i]!;
      if (
        isLowerAlnum(c) ||
        c === C_PLUS ||
        c === C_MINUS ||
        c === C_DOT ||
        c === C_UNDERSCORE ||
        c === C_PERCENT ||
        c === C_QUOTE
      ) {
        h = Math.imul(h ^ c, 0x01000193);
        i++;
      } else break;
    }
    this.scannedHash = h;
    return i - from > MAX_MOVIE_ID_LENGTH ? -1 : i;
  }

  /**
   * The movie id in bytes[from..to) as a string, interned: the same id, the same string. Called
   * right after movieEnd scanned exactly that id, so its hash is `scannedHash`.
   */
  private movie(b: Uint8Array, from: number, to: number): string {
    const h = this.scannedHash;
    const known = this.movies.get(h);
    if (known === undefined) {
      const id = latin1(b, from, to);
      this.movies.set(h, id);
      return id;
    }
    if (typeof known === 'string') {
      if (sameText(known, b, from, to)) return known;
      const id = latin1(b, from, to);
      this.movies.set(h, [known, id]);
      return id;
    }
    for (const id of known) if (sameText(id, b, from, to)) return id;
    const id = latin1(b, from, to);
    known.push(id);
    return id;
  }

  /** Epoch µs of `YYYY-MM-DDTHH:` at `at` (validated as the strict parser does), or -1. */
  private hour(b: Uint8Array, at: number): number {
    const cached = this.hourText;
    let same = this.hourMicros >= 0;
    for (let k = 0; k < 14 && same; k++) same = b[at + k] === cached[k];
    if (same) return this.hourMicros;
    if (b[at + 4] !== C_MINUS || b[at + 7] !== C_MINUS || b[at + 10] !== C_T || b[at + 13] !== C_COLON)
      return -1;
    const century = twoDigits(b, at);
    const yy = twoDigits(b, at + 2);
    if (century < 0 || yy < 0) return -1;
    const year = century * 100 + yy;
    const month = twoDigits(b, at + 5);
    const day = twoDigits(b, at + 8);
    const hour = twoDigits(b, at + 11);
    if (year < 1970 || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23)
      return -1;
    if (day > daysInMonth(year, month)) return -1;
    const micros = (daysFromCivil(year, month, day) * 86_400 + hour * 3600) * 1_000_000;
    for (let k = 0; k < 14; k++) cached[k] = b[at + k]!;
    this.hourMicros = micros;
    return micros;
  }
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const WATCH = ascii('GET /data/m/');
const RATE = ascii('GET /rate/');
const RECOMMEND = ascii('recommendation request ');
const STATUS = ascii(', status ');
const RESULT = ascii(', result: ');
const MS = ascii(' ms');
const MPG = ascii('.mpg');

const C_0 = 48;
const C_9 = 57;
const C_a = 97;
const C_z = 122;
const C_A = 65;
const C_Z_UPPER = 90;
const C_PLUS = 43;
const C_COMMA = 44;
const C_MINUS = 45;
const C_DOT = 46;
const C_SLASH = 47;
const C_COLON = 58;
const C_EQUALS = 61;
const C_UNDERSCORE = 95;
const C_PERCENT = 37;
const C_QUOTE = 39;
const C_SPACE = 32;
const C_T = 84;
const C_Z = 90;

const isDigit = (c: number): boolean => c >= C_0 && c <= C_9;
const isLowerAlnum = (c: number): boolean => (c >= C_a && c <= C_z) || (c >= C_0 && c <= C_9);
const isAlnum = (c: number): boolean => isLowerAlnum(c) || (c >= C_A && c <= C_Z_UPPER);

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(b: Uint8Array, at: number): number {
  const x = b[at]! - C_0;
  const y = b[at + 1]! - C_0;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** Three digits at `at` (a status code; leading zeros allowed, as in the strict parser), or -1. */
function threeDigits(b: Uint8Array, at: number): number {
  const x = twoDigits(b, at);
  const z = b[at + 2]! - C_0;
  return x >= 0 && z >= 0 && z <= 9 ? x * 10 + z : -1;
}

/** `0|[1-9][0-9]{0,maxDigits-1}` filling bytes[from..to), or -1. */
function canonical(b: Uint8Array, from: number, to: number, maxDigits: number): number {
  const len = to - from;
  if (len < 1 || len > maxDigits || (b[from] === C_0 && len > 1)) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = b[i]! - C_0;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function startsWith(b: Uint8Array, at: number, end: number, prefix: Uint8Array): boolean {
  if (end - at < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (b[at + k] !== prefix[k]) return false;
  return true;
}

function sameText(text: string, b: Uint8Array, from: number, to: number): boolean {
  if (text.length !== to - from) return false;
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) !== b[from + k]) return false;
  return true;
}

/** ASCII bytes as a string (callers only pass ranges they checked are ASCII). */
function latin1(b: Uint8Array, from: number, to: number): string {
  return Buffer.prototype.latin1Slice.call(b, from, to) as string;
}
