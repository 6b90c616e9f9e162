import { EventGenerator } from '@reelwatch/event-producer';
import { BatchAggregator } from '../src/batch-aggregator';
import { FastLineAggregator } from '../src/fast-line';
import { MAX_LINE_LENGTH, parseEventLine } from '../src/parse-event-line';
import { MUTATION_ALPHABET, mutate, prng } from './support/mutate';

// The parsers' mutation alphabet plus 'p' (the fast path compares ".mpg" byte by byte).
const ALPHABET = `${MUTATION_ALPHABET}p`;

/** Everything an aggregator holds, in a canonical order. */
function snapshot(a: BatchAggregator): unknown {
  const sorted = <T>(m: Map<unknown, T>) => [...m.entries()].map(([k, v]) => [String(k), v]).sort();
  return JSON.stringify({
    counts: a.eventCounts,
    users: sorted(a.users),
    movies: sorted(a.movies),
    progress: sorted(a.progress),
    ratings: sorted(a.ratings),
    ratingCounts: sorted(a.ratingCounts),
    recommendations: sorted(a.recommendations),
    deadLetters: a.deadLetters,
  });
}

/** Aggregates one line as the strict parser sees it (dead letters ignored: the fast path never makes one). */
function strictAdd(a: BatchAggregator, line: string): boolean {
  const r = parseEventLine(line);
  if (r.ok) a.add(r.event);
  return r.ok;
}

/**
 * The contract: for every line, either the fast path declines and changes nothing, or the strict
 * parser accepts the line too and aggregating its event gives exactly the same state.
 */
function checkLine(fast: FastLineAggregator, line: string): boolean {
  const viaFast = new BatchAggregator();
  // The line sits between neighbours whose bytes would complete a truncated line if the fast
  // path ever read past its end (as it would in a packed buffer of several messages).
  const before = Buffer.from('2026-01-01T00:00:00.000Z,7,GET /rate/x=1', 'utf8');
  const bytes = Buffer.concat([before, Buffer.from(line, 'utf8'), Buffer.from(', 5 ms/1.mpg=3Z,9,', 'utf8')]);
  const handled = fast.add(viaFast, bytes, before.length, bytes.length - 18);
  const viaStrict = new BatchAggregator();
  if (!handled) {
    expect({ line, state: snapshot(viaFast) }).toEqual({ line, state: snapshot(new BatchAggregator()) });
    return false;
  }
  expect({ line, strictAccepts: strictAdd(viaStrict, line) }).toEqual({ line, strictAccepts: true });
  expect({ line, state: snapshot(viaFast) }).toEqual({ line, state: snapshot(viaStrict) });
  return true;
}

describe('the byte-level fast path', () => {
  test('the fast path takes every valid generated line and agrees with the strict parser on it', () => {
    const fast = new FastLineAggregator();
    let taken = 0;
    let valid = 0;
    for (const e of new EventGenerator({ seed: 5, malformedRatio: 0.05 }).take(20_000)) {
      if (checkLine(fast, e.line)) taken++;
      if (e.type !== 'malformed') valid++;
    }
    // Generated valid lines are all plain shapes: the fast path must take every one of them.
    expect(taken).toBe(valid);
  });

  test('the fast path declines or agrees on 60,000 mutated lines (it never accepts what the strict parser rejects)', () => {
    const random = prng(9);
    const fast = new FastLineAggregator();
    let taken = 0;
    let declined = 0;
    for (const e of new EventGenerator({ seed: 13, malformedRatio: 0.05 }).take(20_000)) {
      for (let k = 0; k < 3; k++) {
        if (checkLine(fast, mutate(e.line, random, ALPHABET))) taken++;
        else declined++;
      }
    }
    expect(taken + declined).toBe(60_000);
    // Both outcomes are exercised (a fast path that declined everything would pass vacuously).
    expect(taken).toBeGreaterThan(5_000);
    expect(declined).toBeGreaterThan(10_000);
  });

  test('a whole stream aggregated through the fast path equals the strict parser alone (hour cache, interning)', () => {
    const fast = new FastLineAggregator();
    const viaFast = new BatchAggregator();
    const viaStrict = new BatchAggregator();
    const random = prng(21);
    for (const e of new EventGenerator({ seed: 17, malformedRatio: 0.02 }).take(30_000)) {
      // Mutated lines in between poison the caches if they are not checked.
      const lines = random() < 0.1 ? [mutate(e.line, random, ALPHABET), e.line] : [e.line];
      for (const line of lines) {
        const bytes = Buffer.from(line, 'utf8');
        if (!fast.add(viaFast, bytes, 0, bytes.length)) strictAdd(viaFast, line);
        strictAdd(viaStrict, line);
      }
    }
    expect(snapshot(viaFast)).toEqual(snapshot(viaStrict));
  });

  test.each([
    [
      'an hour prefix that differs only at the ":" the cache does not hold',
      [
        '2026-01-01T10:00:00.000Z,1,GET /data/m/a+1/1.mpg',
        '2026-01-01T10x00:00.000Z,1,GET /data/m/a+1/1.mpg',
      ],
    ],
    ['a year with a non-digit', ['20x6-01-01T10:00:00Z,1,GET /rate/a=1']],
    [
      '29 February of a non-leap year, then of a leap year',
      ['2025-02-29T10:00:00Z,1,GET /rate/a=1', '2024-02-29T10:00:00Z,1,GET /rate/a=1'],
    ],
    [
      'fractions of 0, 1, 6 and 7 digits',
      [
        '2026-01-01T10:00:00.Z,1,GET /rate/a=1',
        '2026-01-01T10:00:00.5Z,1,GET /rate/a=1',
        '2026-01-01T10:00:00.123456Z,1,GET /rate/a=1',
        '2026-01-01T10:00:00.1234567Z,1,GET /rate/a=1',
      ],
    ],
    [
      'zones other than Z (left to the strict parser)',
      ['2026-01-01T10:00:00+01:00,1,GET /rate/a=1', '2026-01-01T10:00:00,1,GET /rate/a=1'],
    ],
    [
      'user ids: 0, a leading zero, 15 and 16 digits',
      [
        '2026-01-01T10:00:00Z,0,GET /rate/a=1',
        '2026-01-01T10:00:00Z,01,GET /rate/a=1',
        '2026-01-01T10:00:00Z,123456789012345,GET /rate/a=1',
        '2026-01-01T10:00:00Z,1234567890123456,GET /rate/a=1',
      ],
    ],
    [
      'watch paths: no minute, a leading zero, an extra segment, six digits',
      [
        '2026-01-01T10:00:00Z,1,GET /data/m/a/.mpg',
        '2026-01-01T10:00:00Z,1,GET /data/m/a/01.mpg',
        '2026-01-01T10:00:00Z,1,GET /data/m/a/b/1.mpg',
        '2026-01-01T10:00:00Z,1,GET /data/m/a/123456.mpg',
        '2026-01-01T10:00:00Z,1,GET /data/m/a/99999.mpg',
      ],
    ],
    [
      'movie ids: upper case, 200 and 201 characters, a leading "+"',
      [
        '2026-01-01T10:00:00Z,1,GET /rate/Abc=1',
        `2026-01-01T10:00:00Z,1,GET /rate/${'a'.repeat(200)}=1`,
        `2026-01-01T10:00:00Z,1,GET /rate/${'a'.repeat(201)}=1`,
        '2026-01-01T10:00:00Z,1,GET /rate/+a=1',
      ],
    ],
    [
      'ratings 0, 6 and two digits',
      [
        '2026-01-01T10:00:00Z,1,GET /rate/a=0',
        '2026-01-01T10:00:00Z,1,GET /rate/a=6',
        '2026-01-01T10:00:00Z,1,GET /rate/a=11',
      ],
    ],
    [
      'recommendations: empty result list, ports, status bounds, upper-case host',
      [
        '2026-01-01T10:00:00Z,1,recommendation request h, status 200, result: 0 ms',
        '2026-01-01T10:00:00Z,1,recommendation request Host-1.example:8082, status 599, result: a, b+1, 7 ms',
        '2026-01-01T10:00:00Z,1,recommendation request h:123456, status 200, result: a, 7 ms',
        '2026-01-01T10:00:00Z,1,recommendation request h, status 099, result: a, 7 ms',
        '2026-01-01T10:00:00Z,1,recommendation request h, status 600, result: a, 7 ms',
        '2026-01-01T10:00:00Z,1,recommendation request -h, status 200, result: a, 7 ms',
        '2026-01-01T10:00:00Z,1,recommendation request h, status 200, result: a,, 7 ms',
        '2026-01-01T10:00:00Z,1,recommendation request h, status 200, result: 5 ms, a, 7 ms',
        '2026-01-01T10:00:00Z,1,recommendation request h, status 200, result: a, 2147483648 ms',
        '2026-01-01T10:00:00Z,1,recommendation request h, status 200, result: a, 2147483647 ms',
      ],
    ],
    [
      'a recommendation longer than the line limit',
      [
        `2026-01-01T10:00:00Z,1,recommendation request h, status 200, result: ${'abc, '.repeat(MAX_LINE_LENGTH / 5)}7 ms`,
      ],
    ],
  ])('edge cases: %s', (_name, lines) => {
    const fast = new FastLineAggregator();
    for (const line of lines) checkLine(fast, line);
  });
});
