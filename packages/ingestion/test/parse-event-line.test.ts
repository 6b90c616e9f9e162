import {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  MAX_LINE_LENGTH,
  parseEventLine,
  parseIsoTimestampMicros,
} from '../src/parse-event-line';

const T = '2026-11-21T19:30:05';
const T_MICROS = Date.UTC(2026, 10, 21, 19, 30, 5) * 1000;

function rejected(line: string | null): DeadLetterReason {
  const r = parseEventLine(line);
  if (r.ok)
    throw new Error(`expected ${JSON.stringify(line)} to be rejected, got ${JSON.stringify(r.event)}`);
  expect(r.detail.length).toBeGreaterThan(0);
  return r.reason;
}

describe('parseEventLine', () => {
  test('parseEventLine accepts a watch line', () => {
    expect(parseEventLine(`${T},42,GET /data/m/the+matrix+1999/23.mpg`)).toEqual({
      ok: true,
      event: { type: 'watch', tsMicros: T_MICROS, userId: '42', movieId: 'the+matrix+1999', minute: 23 },
    });
  });

  test('parseEventLine accepts a rate line', () => {
    expect(parseEventLine(`${T},7,GET /rate/amelie+2001=5`)).toEqual({
      ok: true,
      event: { type: 'rate', tsMicros: T_MICROS, userId: '7', movieId: 'amelie+2001', rating: 5 },
    });
  });

  test('parseEventLine accepts a recommendation line with results and latency', () => {
    const line = `${T},99,recommendation request 17645-team01.isri.cmu.edu:8082, status 200, result: a+1999, b+2000, c, 137 ms`;
    expect(parseEventLine(line)).toEqual({
      ok: true,
      event: {
        type: 'recommend',
        tsMicros: T_MICROS,
        userId: '99',
        host: '17645-team01.isri.cmu.edu:8082',
        status: 200,
        results: ['a+1999', 'b+2000', 'c'],
        latencyMs: 137,
      },
    });
  });

  test('parseEventLine accepts a recommendation with an empty result list', () => {
    const r = parseEventLine(`${T},1,recommendation request 10.0.0.1:8080, status 503, result: 12 ms`);
    expect(r).toEqual({
      ok: true,
      event: {
        type: 'recommend',
        tsMicros: T_MICROS,
        userId: '1',
        host: '10.0.0.1:8080',
        status: 503,
        results: [],
        latencyMs: 12,
      },
    });
  });

  test('parseEventLine rejects empty and null messages', () => {
    expect(rejected('')).toBe('empty_line');
    expect(rejected(null)).toBe('empty_line');
    expect(parseEventLine(undefined)).toMatchObject({ ok: false, reason: 'empty_line' });
  });

  test('parseEventLine rejects a line longer than the limit', () => {
    const line = `${T},1,GET /data/m/${'a'.repeat(MAX_LINE_LENGTH)}/1.mpg`;
    expect(rejected(line)).toBe('line_too_long');
  });

  test.each([
    ['a NUL byte', `${T},1,GET /data/m/a\u0000b/1.mpg`],
    ['a trailing carriage return', `${T},1,GET /data/m/ab/1.mpg\r`],
    ['a trailing newline', `${T},1,GET /data/m/ab/1.mpg\n`],
    ['a tab', `${T},1,GET /data/m/a\tb/1.mpg`],
    ['DEL', `${T},1,GET /data/m/ab\u007f/1.mpg`],
  ])('parseEventLine rejects a line with %s', (_what, line) => {
    expect(rejected(line)).toBe('control_character');
  });

  test.each([
    ['no comma', 'garbage'],
    ['one comma', `${T},42`],
    ['only time', T],
  ])('parseEventLine rejects a line with %s as missing a field', (_what, line) => {
    expect(rejected(line)).toBe('missing_field');
  });

  describe('timestamps', () => {
    test.each([
      ['no fraction, no zone (UTC)', '2026-11-21T19:30:05', T_MICROS],
      ['Z zone', '2026-11-21T19:30:05Z', T_MICROS],
      ['milliseconds', '2026-11-21T19:30:05.123', T_MICROS + 123_000],
      ['one fraction digit', '2026-11-21T19:30:05.5', T_MICROS + 500_000],
      ['microseconds', '2026-11-21T19:30:05.000001Z', T_MICROS + 1],
      ['positive offset', '2026-11-21T21:30:05+02:00', T_MICROS],
      ['negative offset', '2026-11-21T14:00:05-05:30', T_MICROS],
      ['leap day', '2024-02-29T00:00:00', Date.UTC(2024, 1, 29) * 1000],
      ['leap day of 2000', '2000-02-29T00:00:00', Date.UTC(2000, 1, 29) * 1000],
      ['end of day', '2026-12-31T23:59:59.999999', Date.UTC(2026, 11, 31, 23, 59, 59) * 1000 + 999_999],
      ['the epoch', '1970-01-01T00:00:00Z', 0],
    ])('parseEventLine accepts a timestamp with %s', (_what, ts, micros) => {
      expect(parseIsoTimestampMicros(ts)).toBe(micros);
      const r = parseEventLine(`${ts},1,GET /rate/x=3`);
      expect(r.ok && r.event.tsMicros).toBe(micros);
    });

    test.each([
      ['an empty time', ''],
      ['a date only', '2026-11-21'],
      ['a space separator', '2026-11-21 19:30:05'],
      ['a lowercase t', '2026-11-21t19:30:05'],
      ['month 13', '2026-13-01T00:00:00'],
      ['month 00', '2026-00-10T00:00:00'],
      ['day 00', '2026-01-00T00:00:00'],
      ['April 31', '2026-04-31T00:00:00'],
      ['February 29 of a common year', '2026-02-29T00:00:00'],
      ['February 29 of 1900-style centuries', '2100-02-29T00:00:00'],
      ['hour 24', '2026-11-21T24:00:00'],
      ['minute 60', '2026-11-21T19:60:00'],
      ['a leap second', '2026-12-31T23:59:60'],
      ['seven fraction digits', '2026-11-21T19:30:05.1234567'],
      ['an empty fraction', '2026-11-21T19:30:05.'],
      ['no seconds', '2026-11-21T19:30'],
      ['a short year', '26-11-21T19:30:05'],
      ['single-digit fields', '2026-1-2T3:4:5'],
      ['a zone without colon', '2026-11-21T19:30:05+0200'],
      ['zone hour 24', '2026-11-21T19:30:05+24:00'],
      ['zone minute 60', '2026-11-21T19:30:05+01:60'],
      ['a named zone', '2026-11-21T19:30:05 UTC'],
      ['a year before 1970', '1969-12-31T23:59:59Z'],
      ['a year after 2199', '2200-01-01T00:00:00Z'],
      ['an epoch number', '1763753405'],
      ['surrounding spaces', ' 2026-11-21T19:30:05'],
    ])('parseEventLine rejects a timestamp with %s', (_what, ts) => {
      expect(parseIsoTimestampMicros(ts)).toBeUndefined();
      expect(rejected(`${ts},1,GET /rate/x=3`)).toBe('timestamp_invalid');
    });
  });

  describe('user ids', () => {
    test.each(['0', '1', '1234567', '9223372036854775807'])('parseEventLine accepts user id %s', (id) => {
      const r = parseEventLine(`${T},${id},GET /rate/x=3`);
      expect(r.ok && r.event.userId).toBe(id);
    });
    test.each([
      ['empty', ''],
      ['negative', '-1'],
      ['signed', '+1'],
      ['leading zero', '007'],
      ['letters', 'abc'],
      ['hex', '0x1f'],
      ['decimal point', '1.5'],
      ['space', ' 12'],
      ['above bigint', '9223372036854775808'],
      ['20 digits', '12345678901234567890'],
    ])('parseEventLine rejects a %s user id', (_what, id) => {
      expect(rejected(`${T},${id},GET /rate/x=3`)).toBe('user_id_invalid');
    });
  });

  describe('movie ids', () => {
    test.each([
      'the+matrix+1999',
      'x',
      '9',
      "schindler's+list+1993",
      'wall-e+2008',
      'mr.+smith+2005',
      'a_b',
      'caf%c3%a9+2001',
      'a'.repeat(200),
    ])('parseEventLine accepts movie id %s', (id) => {
      const w = parseEventLine(`${T},1,GET /data/m/${id}/0.mpg`);
      expect(w.ok && w.event.type === 'watch' && w.event.movieId).toBe(id);
      const r = parseEventLine(`${T},1,GET /rate/${id}=1`);
      expect(r.ok && r.event.type === 'rate' && r.event.movieId).toBe(id);
    });
    test.each([
      ['empty', ''],
      ['uppercase', 'The+Matrix'],
      ['a space', 'the matrix'],
      ['a leading plus', '+matrix'],
      ['a leading dash', '-matrix'],
      ['non-ASCII', 'café'],
      ['a question mark', 'a?b'],
      ['201 characters', 'a'.repeat(201)],
    ])('parseEventLine rejects a movie id with %s', (_what, id) => {
      expect(rejected(`${T},1,GET /data/m/${id}/0.mpg`)).toBe('movie_id_invalid');
      expect(rejected(`${T},1,GET /rate/${id}=1`)).toBe('movie_id_invalid');
    });
    test('parseEventLine rejects a watch path with an extra segment', () => {
      expect(rejected(`${T},1,GET /data/m/a/b/1.mpg`)).toBe('request_unknown');
    });
  });

  describe('minutes', () => {
    test.each([0, 1, 59, 180, 99_999])('parseEventLine accepts minute %d', (minute) => {
      const r = parseEventLine(`${T},1,GET /data/m/x/${minute}.mpg`);
      expect(r.ok && r.event.type === 'watch' && r.event.minute).toBe(minute);
    });
    test.each([
      ['negative', '-1'],
      ['empty', ''],
      ['fractional', '1.5'],
      ['leading zero', '01'],
      ['letters', 'ten'],
      ['above the maximum', '100000'],
      ['exponent', '1e3'],
    ])('parseEventLine rejects a %s minute', (_what, minute) => {
      expect(rejected(`${T},1,GET /data/m/x/${minute}.mpg`)).toBe('minute_invalid');
    });
    test.each([
      ['another extension', `${T},1,GET /data/m/x/1.mp4`],
      ['no extension', `${T},1,GET /data/m/x/1`],
      ['a POST', `${T},1,POST /data/m/x/1.mpg`],
      ['a query string', `${T},1,GET /data/m/x/1.mpg?a=1`],
      ['a lowercase get', `${T},1,get /data/m/x/1.mpg`],
    ])('parseEventLine rejects a watch request with %s', (_what, line) => {
      expect(rejected(line)).toBe('request_unknown');
    });
  });

  describe('ratings', () => {
    test.each([1, 2, 3, 4, 5])('parseEventLine accepts rating %d', (rating) => {
      const r = parseEventLine(`${T},1,GET /rate/x=${rating}`);
      expect(r.ok && r.event.type === 'rate' && r.event.rating).toBe(rating);
    });
    test.each(['0', '6', '10', '-1', '3.5', '', 'five', ' 3', '03'])(
      'parseEventLine rejects rating %p outside 1-5',
      (rating) => {
        expect(rejected(`${T},1,GET /rate/x=${rating}`)).toBe('rating_invalid');
      },
    );
    test('parseEventLine rejects a rate request without "="', () => {
      expect(rejected(`${T},1,GET /rate/x`)).toBe('request_unknown');
    });
  });

  describe('recommendation requests', () => {
    const rec = (rest: string) => `${T},5,recommendation request ${rest}`;
    test.each([100, 200, 404, 599])('parseEventLine accepts status %d', (status) => {
      const r = parseEventLine(rec(`h:1, status ${status}, result: a, 3 ms`));
      expect(r.ok && r.event.type === 'recommend' && r.event.status).toBe(status);
    });
    test.each([
      ['two digits', 'status 20'],
      ['four digits', 'status 2000'],
      ['below 100', 'status 099'],
      ['above 599', 'status 600'],
      ['no number', 'status ok'],
      ['a missing word', '200'],
      ['a colon', 'status: 200'],
    ])('parseEventLine rejects a status with %s', (_what, status) => {
      expect(rejected(rec(`h:1, ${status}, result: a, 3 ms`))).toBe('status_invalid');
    });
    test.each(['0 ms', '1 ms', '2147483647 ms'])('parseEventLine accepts latency %p', (latency) => {
      const r = parseEventLine(rec(`h:1, status 200, result: a, ${latency}`));
      expect(r.ok && r.event.type === 'recommend' && r.event.latencyMs).toBe(Number(latency.split(' ')[0]));
    });
    test.each([
      ['no unit', '12'],
      ['seconds', '12 s'],
      ['no space', '12ms'],
      ['negative', '-1 ms'],
      ['fractional', '1.5 ms'],
      ['leading zero', '012 ms'],
      ['too large', '2147483648 ms'],
      ['two spaces', '12  ms'],
    ])('parseEventLine rejects a latency with %s', (_what, latency) => {
      expect(rejected(rec(`h:1, status 200, result: a, ${latency}`))).toBe('latency_invalid');
    });
    test.each([
      ['a space in the host', 'my host:1'],
      ['a bad port', 'host:abc'],
      ['an empty host', ''],
      ['a slash', 'http://host'],
    ])('parseEventLine rejects a host with %s', (_what, host) => {
      expect(rejected(rec(`${host}, status 200, result: a, 3 ms`))).toBe('host_invalid');
    });
    test.each([
      ['no result label', 'h:1, status 200, a, 3 ms'],
      ['a result label without space', 'h:1, status 200, result:a, 3 ms'],
      ['an invalid movie id', 'h:1, status 200, result: a, B C, 3 ms'],
      ['an empty item', 'h:1, status 200, result: a, , 3 ms'],
      ['a trailing separator', 'h:1, status 200, result: a, 3 ms, '],
    ])('parseEventLine rejects a result list with %s', (_what, rest) => {
      const reason = rejected(rec(rest));
      expect(['result_invalid', 'latency_invalid']).toContain(reason);
    });
    test('parseEventLine rejects a recommendation without status and result', () => {
      expect(rejected(rec('h:1'))).toBe('missing_field');
    });
  });

  test.each([
    ['an unknown verb', `${T},1,DELETE /rate/x=1`],
    ['an unknown path', `${T},1,GET /data/x/1.mpg`],
    ['an empty request', `${T},1,`],
    ['a lowercase recommendation', `${T},1,Recommendation request h, status 200, result: 1 ms`],
  ])('parseEventLine rejects a line with %s as an unknown request', (_what, line) => {
    expect(rejected(line)).toBe('request_unknown');
  });

  test('every reason code is a short snake_case label', () => {
    for (const reason of DEAD_LETTER_REASONS) expect(reason).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
    expect(new Set(DEAD_LETTER_REASONS).size).toBe(DEAD_LETTER_REASONS.length);
  });
});
