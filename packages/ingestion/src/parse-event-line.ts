/**
 * The strict parser for one line of the movie event stream (format: /work/shared/DESIGN.md):
 *
 *   <ISO time>,<userid>,GET /data/m/<movieid>/<minute>.mpg
 *   <ISO time>,<userid>,GET /rate/<movieid>=<rating 1-5>
 *   <ISO time>,<userid>,recommendation request <host>, status <code>, result: <movieid>, ..., <n> ms
 *
 * Anything else is rejected with a reason from the bounded list DEAD_LETTER_REASONS (it becomes a
 * metric label, so it must never be free text); `detail` carries the human-readable specifics.
 */

export const DEAD_LETTER_REASONS = [
  'empty_line',
  'line_too_long',
  'control_character',
  'missing_field',
  'timestamp_invalid',
  'user_id_invalid',
  'request_unknown',
  'movie_id_invalid',
  'minute_invalid',
  'rating_invalid',
  'host_invalid',
  'status_invalid',
  'result_invalid',
  'latency_invalid',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export type EventType = 'watch' | 'rate' | 'recommend';
export const EVENT_TYPES: readonly EventType[] = ['watch', 'rate', 'recommend'];

interface EventBase {
  /** Event time in microseconds since the Unix epoch (UTC); fractions below 1 µs are rejected. */
  tsMicros: number;
  /** Decimal digits, canonical (no leading zeros), fits a PostgreSQL bigint. */
  userId: string;
}
export interface WatchEvent extends EventBase {
  type: 'watch';
  movieId: string;
  minute: number;
}
export interface RateEvent extends EventBase {
  type: 'rate';
  movieId: string;
  rating: 1 | 2 | 3 | 4 | 5;
}
export interface RecommendEvent extends EventBase {
  type: 'recommend';
  host: string;
  status: number;
  results: string[];
  latencyMs: number;
}
export type MovieEvent = WatchEvent | RateEvent | RecommendEvent;

export type ParseResult =
  | { ok: true; event: MovieEvent }
  | { ok: false; reason: DeadLetterReason; detail: string };

/** Longest line accepted; a recommendation with a few dozen results stays far below it. */
export const MAX_LINE_LENGTH = 8192;
/** Longest movie id accepted (slugs are title words joined by '+' plus the year). */
export const MAX_MOVIE_ID_LENGTH = 200;
/** Highest minute accepted: longer than any film, small enough for a PostgreSQL integer. */
export const MAX_MINUTE = 99_999;
/** Highest latency accepted, in milliseconds (fits a PostgreSQL integer). */
export const MAX_LATENCY_MS = 2_147_483_647;
const MAX_BIGINT_TEXT = '9223372036854775807';
/** Latest year accepted: epoch microseconds stay exact in a JavaScript number until 2255. */
export const MAX_YEAR = 2199;

// The parser is hand-written (character codes, no regular expressions, no intermediate strings
// besides the fields it returns): it is on the hot path of every consumed message. The previous
// regex version is kept in test/support/regex-parser.ts as the oracle of a differential test.
const C_0 = 48;
const C_9 = 57;
const C_a = 97;
const C_z = 122;
const C_A = 65;
const C_Z = 90;
const C_PLUS = 43;
const C_COMMA = 44;
const C_MINUS = 45;
const C_DOT = 46;
const C_COLON = 58;
const C_UNDERSCORE = 95;
const C_PERCENT = 37;
const C_QUOTE = 39;
const C_T = 84;
const C_ZONE = 90;
const WATCH_PREFIX = 'GET /data/m/';
const RATE_PREFIX = 'GET /rate/';
const RECOMMEND_PREFIX = 'recommendation request ';
const RESULT_LABEL = 'result: ';

const fail = (reason: DeadLetterReason, detail: string): ParseResult => ({ ok: false, reason, detail });

const isDigit = (c: number): boolean => c >= C_0 && c <= C_9;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a valid proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `n` ASCII digits at s[at..at+n) as a number, or -1. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i);
    if (!(c >= C_0 && c <= C_9)) return -1; // also past the end (NaN)
    v = v * 10 + (c - C_0);
  }
  return v;
}

/**
 * ISO 8601 date-time in s[from..to): `YYYY-MM-DDTHH:MM:SS`, optional `.f` (1-6 digits), optional
 * zone `Z` or `±hh:mm` (none = UTC) -> epoch µs, or -1.
 */
function timestampMicros(s: string, from: number, to: number): number {
  const len = to - from;
  if (len < 19) return -1;
  if (
    s.charCodeAt(from + 4) !== C_MINUS ||
    s.charCodeAt(from + 7) !== C_MINUS ||
    s.charCodeAt(from + 10) !== C_T ||
    s.charCodeAt(from + 13) !== C_COLON ||
    s.charCodeAt(from + 16) !== C_COLON
  )
    return -1;
  const year = digits(s, from, 4);
  const month = digits(s, from + 5, 2);
  const day = digits(s, from + 8, 2);
  const hour = digits(s, from + 11, 2);
  const minute = digits(s, from + 14, 2);
  const second = digits(s, from + 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return -1;
  let i = from + 19;
  let micros = 0;
  if (i < to && s.charCodeAt(i) === C_DOT) {
    i++;
    let n = 0;
    while (i < to && n < 7 && isDigit(s.charCodeAt(i))) {
      micros = micros * 10 + (s.charCodeAt(i) - C_0);
      i++;
      n++;
    }
    if (n === 0 || n > 6) return -1;
    for (; n < 6; n++) micros *= 10;
  }
  let offsetMinutes = 0;
  if (i < to) {
    const c = s.charCodeAt(i);
    if (c === C_ZONE) {
      i++;
    } else if (c === C_PLUS || c === C_MINUS) {
      if (to - i < 6 || s.charCodeAt(i + 3) !== C_COLON) return -1;
      const zh = digits(s, i + 1, 2);
      const zm = digits(s, i + 4, 2);
      if (zh < 0 || zm < 0 || zh > 23 || zm > 59) return -1;
      offsetMinutes = (c === C_MINUS ? -1 : 1) * (zh * 60 + zm);
      i += 6;
    } else {
      return -1;
    }
  }
  if (i !== to) return -1;
  if (year < 1970 || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return -1;
  if (hour > 23 || minute > 59 || second > 59) return -1;
  const ms =
    (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000 -
    offsetMinutes * 60_000;
  if (ms < 0) return -1;
  return ms * 1000 + micros;
}

/** ISO 8601 date-time (`T` separator, optional fraction up to µs, `Z`/`±hh:mm`/none = UTC) -> epoch µs. */
export function parseIsoTimestampMicros(text: string): number | undefined {
  const micros = timestampMicros(text, 0, text.length);
  return micros < 0 ? undefined : micros;
}

/** Slug charset: lowercase ASCII letters, digits and `+ - . _ % '`; starts with a letter or digit. */
function validMovieIdAt(s: string, from: number, to: number): boolean {
  const len = to - from;
  if (len < 1 || len > MAX_MOVIE_ID_LENGTH) return false;
  let c = s.charCodeAt(from);
  if (!((c >= C_a && c <= C_z) || (c >= C_0 && c <= C_9))) return false;
  for (let i = from + 1; i < to; i++) {
    c = s.charCodeAt(i);
    if ((c >= C_a && c <= C_z) || (c >= C_0 && c <= C_9)) continue;
    if (
      c === C_PLUS ||
      c === C_MINUS ||
      c === C_DOT ||
      c === C_UNDERSCORE ||
      c === C_PERCENT ||
      c === C_QUOTE
    )
      continue;
    return false;
  }
  return true;
}

/** `0|[1-9]\d{0,maxDigits-1}` in s[from..to) -> its value, or -1. */
function canonicalInteger(s: string, from: number, to: number, maxDigits: number): number {
  const len = to - from;
  if (len < 1 || len > maxDigits) return -1;
  if (s.charCodeAt(from) === C_0) return len === 1 ? 0 : -1;
  return digits(s, from, len);
}

/** Decimal digits without leading zeros that fit a PostgreSQL bigint. */
function validUserId(s: string, from: number, to: number): boolean {
  const len = to - from;
  if (len < 1 || len > 19) return false;
  if (s.charCodeAt(from) === C_0) return len === 1;
  for (let i = from; i < to; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return len < 19 || s.slice(from, to) <= MAX_BIGINT_TEXT;
}

/** Host name or IPv4 address with an optional port: `[A-Za-z0-9][A-Za-z0-9.-]{0,252}(:\d{1,5})?`. */
function validHost(s: string): boolean {
  const colon = s.indexOf(':');
  const nameEnd = colon < 0 ? s.length : colon;
  if (nameEnd < 1 || nameEnd > 253) return false;
  for (let i = 0; i < nameEnd; i++) {
    const c = s.charCodeAt(i);
    if ((c >= C_a && c <= C_z) || (c >= C_A && c <= C_Z) || (c >= C_0 && c <= C_9)) continue;
    if (i > 0 && (c === C_DOT || c === C_MINUS)) continue;
    return false;
  }
  if (colon < 0) return true;
  const portLen = s.length - colon - 1;
  return portLen >= 1 && portLen <= 5 && digits(s, colon + 1, portLen) >= 0;
}

/** A JavaScript line terminator beyond CR/LF (`.` in a regex stops there; kept for compatibility). */
const isLineSeparator = (c: number): boolean => c === 0x2028 || c === 0x2029;

export function parseEventLine(line: string | null | undefined): ParseResult {
  if (line === null || line === undefined || line.length === 0) return fail('empty_line', 'empty message');
  const len = line.length;
  if (len > MAX_LINE_LENGTH) {
    return fail('line_too_long', `line has ${len} characters, at most ${MAX_LINE_LENGTH} allowed`);
  }
  let c1 = -1;
  let c2 = -1;
  for (let i = 0; i < len; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return fail('control_character', 'line contains a control character');
    if (c === C_COMMA && c2 < 0) {
      if (c1 < 0) c1 = i;
      else c2 = i;
    }
  }
  if (c2 < 0) return fail('missing_field', 'expected <time>,<userid>,<request>');

  const tsMicros = timestampMicros(line, 0, c1);
  if (tsMicros < 0) return fail('timestamp_invalid', `not a valid ISO 8601 time: ${clip(line.slice(0, c1))}`);
  if (!validUserId(line, c1 + 1, c2)) {
    return fail(
      'user_id_invalid',
      `user id must be decimal digits without leading zeros: ${clip(line.slice(c1 + 1, c2))}`,
    );
  }
  const userId = line.slice(c1 + 1, c2);
  const r = c2 + 1; // start of the request

  if (line.startsWith(WATCH_PREFIX, r)) {
    // GET /data/m/<movie>/<minute>.mpg — exactly one more '/', and the line ends with '.mpg'.
    const movieFrom = r + WATCH_PREFIX.length;
    const slash = line.indexOf('/', movieFrom);
    if (slash < 0 || line.indexOf('/', slash + 1) >= 0 || !line.endsWith('.mpg') || len - 4 < slash + 1) {
      return fail('request_unknown', `malformed watch request: ${clip(line.slice(r))}`);
    }
    if (!validMovieIdAt(line, movieFrom, slash)) {
      return fail('movie_id_invalid', `invalid movie id: ${clip(line.slice(movieFrom, slash))}`);
    }
    const minute = canonicalInteger(line, slash + 1, len - 4, 5);
    if (minute < 0) {
      return fail(
        'minute_invalid',
        `minute must be an integer 0-${MAX_MINUTE}: ${clip(line.slice(slash + 1, len - 4))}`,
      );
    }
    return {
      ok: true,
      event: { type: 'watch', tsMicros, userId, movieId: line.slice(movieFrom, slash), minute },
    };
  }
  if (line.startsWith(RATE_PREFIX, r)) {
    // GET /rate/<movie>=<rating>
    const movieFrom = r + RATE_PREFIX.length;
    const eq = line.indexOf('=', movieFrom);
    let separator = false;
    for (let i = eq + 1; i < len && !separator; i++) separator = isLineSeparator(line.charCodeAt(i));
    if (eq < 0 || separator) return fail('request_unknown', `malformed rate request: ${clip(line.slice(r))}`);
    if (!validMovieIdAt(line, movieFrom, eq)) {
      return fail('movie_id_invalid', `invalid movie id: ${clip(line.slice(movieFrom, eq))}`);
    }
    const c = line.charCodeAt(eq + 1);
    if (len !== eq + 2 || c < C_0 + 1 || c > C_0 + 5) {
      return fail('rating_invalid', `rating must be 1-5: ${clip(line.slice(eq + 1))}`);
    }
    const rating = (c - C_0) as 1 | 2 | 3 | 4 | 5;
    return {
      ok: true,
      event: { type: 'rate', tsMicros, userId, movieId: line.slice(movieFrom, eq), rating },
    };
  }
  if (line.startsWith(RECOMMEND_PREFIX, r)) return parseRecommendation(tsMicros, userId, line.slice(r));
  return fail('request_unknown', `unknown request: ${clip(line.slice(r))}`);
}

function parseRecommendation(tsMicros: number, userId: string, request: string): ParseResult {
  // `<host>, status <code>, result: <id>, <id>, ..., <n> ms` — the separator is exactly ", ".
  const parts = request.slice(RECOMMEND_PREFIX.length).split(', ');
  if (parts.length < 3) return fail('missing_field', 'recommendation needs host, status, result and latency');
  const host = parts[0]!;
  if (!validHost(host)) return fail('host_invalid', `invalid host: ${clip(host)}`);
  const statusText = parts[1]!;
  const status = statusText.length === 10 && statusText.startsWith('status ') ? digits(statusText, 7, 3) : -1;
  if (status < 100 || status > 599) {
    return fail('status_invalid', `expected "status <100-599>": ${clip(statusText)}`);
  }
  const rest = parts.slice(2);
  const first = rest[0]!;
  // An empty result list is written `result: <n> ms`; otherwise `result: <id>, <id>, ..., <n> ms`.
  if (!first.startsWith(RESULT_LABEL)) return fail('result_invalid', `expected "result: ": ${clip(first)}`);
  rest[0] = first.slice(RESULT_LABEL.length);
  const latencyText = rest.pop()!;
  const latencyMs = latencyText.endsWith(' ms')
    ? canonicalInteger(latencyText, 0, latencyText.length - 3, 10)
    : -1;
  if (latencyMs < 0) {
    return fail('latency_invalid', `latency must be "<n> ms" with an integer n: ${clip(latencyText)}`);
  }
  if (latencyMs > MAX_LATENCY_MS) return fail('latency_invalid', `latency too large: ${clip(latencyText)}`);
  for (const id of rest) {
    if (!validMovieIdAt(id, 0, id.length)) {
      return fail('result_invalid', `invalid movie id in result: ${clip(id)}`);
    }
  }
  return { ok: true, event: { type: 'recommend', tsMicros, userId, host, status, results: rest, latencyMs } };
}

function clip(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}...` : JSON.stringify(text);
}
