import { EventGenerator } from '../src/event-generator';

describe('EventGenerator', () => {
  test('the same seed produces the same stream', () => {
    const a = [...new EventGenerator({ seed: 7, malformedRatio: 0.01 }).take(5000)].map((e) => e.line);
    const b = [...new EventGenerator({ seed: 7, malformedRatio: 0.01 }).take(5000)].map((e) => e.line);
    const c = [...new EventGenerator({ seed: 8, malformedRatio: 0.01 }).take(5000)].map((e) => e.line);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  test('the stream is mostly watch minutes with some ratings and recommendations', () => {
    const counts = { watch: 0, rate: 0, recommend: 0, malformed: 0 };
    for (const e of new EventGenerator({ seed: 1 }).take(50_000)) counts[e.type]++;
    expect(counts.watch / 50_000).toBeGreaterThan(0.85);
    expect(counts.rate).toBeGreaterThan(1000);
    expect(counts.recommend).toBeGreaterThan(1500);
    expect(counts.malformed).toBe(0);
  });

  test('watch events come in sessions of consecutive minutes', () => {
    const last = new Map<string, number>();
    let consecutive = 0;
    let watches = 0;
    for (const e of new EventGenerator({ seed: 2 }).take(20_000)) {
      if (e.type !== 'watch') continue;
      watches++;
      const k = `${e.userId}/${e.movieId}`;
      if (last.get(k) === e.minute - 1) consecutive++;
      last.set(k, e.minute);
    }
    expect(consecutive / watches).toBeGreaterThan(0.8);
  });

  test('movie popularity is skewed: the top 1% of movies get a large share of watches', () => {
    const perMovie = new Map<string, number>();
    let total = 0;
    for (const e of new EventGenerator({ seed: 3, initialMovies: 1000, concurrentSessions: 1 }).take(
      50_000,
    )) {
      if (e.type !== 'watch') continue;
      perMovie.set(e.movieId, (perMovie.get(e.movieId) ?? 0) + 1);
      total++;
    }
    const sorted = [...perMovie.values()].sort((x, y) => y - x);
    const top10 = sorted.slice(0, 10).reduce((s, n) => s + n, 0);
    expect(top10 / total).toBeGreaterThan(0.2);
  });

  test('new users arrive steadily and new movies rarely', () => {
    const g = new EventGenerator({ seed: 4, initialUsers: 100, initialMovies: 100 });
    const usersAt: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (const _ of g.take(25_000));
      usersAt.push(g.users);
    }
    const arrivals = usersAt.map((u, i) => u - (i === 0 ? 100 : usersAt[i - 1]!));
    for (const a of arrivals) {
      expect(a).toBeGreaterThan(20);
      expect(a).toBeLessThan(100);
    }
    expect(g.movieCount).toBeGreaterThan(100);
    expect(g.movieCount).toBeLessThan(150);
  });

  test('malformed lines appear at the requested ratio', () => {
    let malformed = 0;
    for (const e of new EventGenerator({ seed: 5, malformedRatio: 0.05 }).take(40_000)) {
      if (e.type === 'malformed') malformed++;
    }
    expect(malformed / 40_000).toBeGreaterThan(0.04);
    expect(malformed / 40_000).toBeLessThan(0.06);
  });

  test('every event is keyed by its user id', () => {
    for (const e of new EventGenerator({ seed: 6 }).take(2000)) {
      if (e.type !== 'malformed') expect(e.key).toBe(e.userId);
      if (e.type !== 'malformed') expect(e.line.split(',')[1]).toBe(e.userId);
    }
  });
});
