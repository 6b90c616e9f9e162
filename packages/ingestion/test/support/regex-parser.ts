/**
 * The previous, regex-based line parser, kept only as a test oracle: the hand-written parser in
 * src/parse-event-line.ts must give the same result (event or reason) for every line.
 */
import {
  type DeadLetterReason,
  MAX_LATENCY_MS,
  MAX_LINE_LENGTH,
  MAX_MINUTE,
  MAX_MOVIE_ID_LENGTH,
  MAX_YEAR,
  type ParseResult,
} from '../../src/parse-event-line';

const MAX_BIGINT = 9223372036854775807n;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})?$/;
const USER_ID_RE = /^(?:0|[1-9]\d{0,18})$/;
/** Slug charset: lowercase ASCII letters, digits and `+ - . _ % '`; starts with a letter or digit. */
const MOVIE_ID_RE = /^[a-z0-9][a-z0-9+\-._%']*$/;
const MINUTE_RE = /^(?:0|[1-9]\d{0,4})$/;
const WATCH_RE = /^GET \/data\/m\/([^/]*)\/([^/]*)\.mpg$/;
const RATE_RE = /^GET \/rate\/([^=]*)=(.*)$/;
const RECOMMEND_PREFIX = 'recommendation request ';
/** Host name or IPv4 address with an optional port. */
const HOST_RE = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::\d{1,5})?$/;
const STATUS_RE = /^status (\d{3})$/;
const LATENCY_RE = /^(?:0|[1-9]\d{0,9}) ms$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

const fail = (reason: DeadLetterReason, detail: string): ParseResult => ({ ok: false, reason, detail });

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** ISO 8601 date-time (`T` separator, optional fraction up to µs, `Z`/`±hh:mm`/none = UTC) -> epoch µs. */
export function regexParseIsoTimestampMicros(text: string): number | undefined {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  if (year < 1970 || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  if (ms < 0) return undefined;
  const micros = frac ? Number(frac.padEnd(6, '0')) : 0;
  return ms * 1000 + micros;
}

function validMovieId(id: string): boolean {
  return id.length <= MAX_MOVIE_ID_LENGTH && MOVIE_ID_RE.test(id);
}

export function regexParseEventLine(line: string | null | undefined): ParseResult {
  if (line === null || line === undefined || line.length === 0) return fail('empty_line', 'empty message');
  if (line.length > MAX_LINE_LENGTH) {
    return fail('line_too_long', `line has ${line.length} characters, at most ${MAX_LINE_LENGTH} allowed`);
  }
  if (CONTROL_RE.test(line)) return fail('control_character', 'line contains a control character');
  const c1 = line.indexOf(',');
  const c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
  if (c2 < 0) return fail('missing_field', 'expected <time>,<userid>,<request>');
  const tsText = line.slice(0, c1);
  const userId = line.slice(c1 + 1, c2);
  const request = line.slice(c2 + 1);

  const tsMicros = regexParseIsoTimestampMicros(tsText);
  if (tsMicros === undefined) return fail('timestamp_invalid', `not a valid ISO 8601 time: ${clip(tsText)}`);
  if (!USER_ID_RE.test(userId) || BigInt(userId) > MAX_BIGINT) {
    return fail('user_id_invalid', `user id must be decimal digits without leading zeros: ${clip(userId)}`);
  }

  if (request.startsWith('GET /data/m/')) {
    const m = WATCH_RE.exec(request);
    if (!m) return fail('request_unknown', `malformed watch request: ${clip(request)}`);
    const movieId = m[1]!;
    const minuteText = m[2]!;
    if (!validMovieId(movieId)) return fail('movie_id_invalid', `invalid movie id: ${clip(movieId)}`);
    if (!MINUTE_RE.test(minuteText)) {
      return fail('minute_invalid', `minute must be an integer 0-${MAX_MINUTE}: ${clip(minuteText)}`);
    }
    return { ok: true, event: { type: 'watch', tsMicros, userId, movieId, minute: Number(minuteText) } };
  }
  if (request.startsWith('GET /rate/')) {
    const m = RATE_RE.exec(request);
    if (!m) return fail('request_unknown', `malformed rate request: ${clip(request)}`);
    const movieId = m[1]!;
    const ratingText = m[2]!;
    if (!validMovieId(movieId)) return fail('movie_id_invalid', `invalid movie id: ${clip(movieId)}`);
    if (!/^[1-5]$/.test(ratingText)) return fail('rating_invalid', `rating must be 1-5: ${clip(ratingText)}`);
    const rating = Number(ratingText) as 1 | 2 | 3 | 4 | 5;
    return { ok: true, event: { type: 'rate', tsMicros, userId, movieId, rating } };
  }
  if (request.startsWith(RECOMMEND_PREFIX)) return parseRecommendation(tsMicros, userId, request);
  return fail('request_unknown', `unknown request: ${clip(request)}`);
}

function parseRecommendation(tsMicros: number, userId: string, request: string): ParseResult {
  // `<host>, status <code>, result: <id>, <id>, ..., <n> ms` — the separator is exactly ", ".
  const parts = request.slice(RECOMMEND_PREFIX.length).split(', ');
  if (parts.length < 3) return fail('missing_field', 'recommendation needs host, status, result and latency');
  const host = parts[0]!;
  if (!HOST_RE.test(host)) return fail('host_invalid', `invalid host: ${clip(host)}`);
  const statusMatch = STATUS_RE.exec(parts[1]!);
  const status = statusMatch ? Number(statusMatch[1]) : 0;
  if (status < 100 || status > 599) {
    return fail('status_invalid', `expected "status <100-599>": ${clip(parts[1]!)}`);
  }
  const rest = parts.slice(2);
  const first = rest[0]!;
  // An empty result list is written `result: <n> ms`; otherwise `result: <id>, <id>, ..., <n> ms`.
  if (!first.startsWith('result: ')) return fail('result_invalid', `expected "result: ": ${clip(first)}`);
  rest[0] = first.slice('result: '.length);
  const latencyText = rest.pop()!;
  if (!LATENCY_RE.test(latencyText)) {
    return fail('latency_invalid', `latency must be "<n> ms" with an integer n: ${clip(latencyText)}`);
  }
  const latencyMs = Number(latencyText.slice(0, -3));
  if (latencyMs > MAX_LATENCY_MS) return fail('latency_invalid', `latency too large: ${clip(latencyText)}`);
  for (const id of rest) {
    if (!validMovieId(id)) return fail('result_invalid', `invalid movie id in result: ${clip(id)}`);
  }
  return { ok: true, event: { type: 'recommend', tsMicros, userId, host, status, results: rest, latencyMs } };
}

function clip(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}...` : JSON.stringify(text);
}
