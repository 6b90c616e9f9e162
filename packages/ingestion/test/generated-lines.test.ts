import { EventGenerator } from '@reelwatch/event-producer';
import { parseEventLine } from '../src/parse-event-line';

test('parseEventLine accepts every well-formed generated line and rejects every malformed one', () => {
  let checked = 0;
  for (const e of new EventGenerator({ seed: 11, malformedRatio: 0.05 }).take(30_000)) {
    const r = parseEventLine(e.line);
    if (e.type === 'malformed') {
      expect(r.ok).toBe(false);
      continue;
    }
    if (!r.ok) throw new Error(`rejected ${e.line}: ${r.reason} ${r.detail}`);
    expect(r.event.type).toBe(e.type);
    expect(r.event.userId).toBe(e.userId);
    expect(r.event.tsMicros).toBe(e.tsMs * 1000);
    if (e.type === 'watch' && r.event.type === 'watch')
      expect([r.event.movieId, r.event.minute]).toEqual([e.movieId, e.minute]);
    if (e.type === 'rate' && r.event.type === 'rate')
      expect([r.event.movieId, r.event.rating]).toEqual([e.movieId, e.rating]);
    if (e.type === 'recommend' && r.event.type === 'recommend') {
      expect([r.event.host, r.event.status, r.event.results, r.event.latencyMs]).toEqual([
        e.host,
        e.status,
        e.results,
        e.latencyMs,
      ]);
    }
    checked++;
  }
  expect(checked).toBeGreaterThan(25_000);
});
