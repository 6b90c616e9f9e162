import { AlertWatch, attribute, delivered, matches } from '../src/alert-watch';

const restarted = { name: 'ReelwatchServiceRestarted', labels: { job: 'ingestion' } };
const alert = (state: 'pending' | 'firing', labels: Record<string, string> = {}) => ({
  state,
  labels: { alertname: 'ReelwatchServiceRestarted', job: 'ingestion', ...labels },
});

test('an episode runs from its first poll to the first successful poll that no longer lists it', () => {
  const watch = new AlertWatch('http://unused');
  watch.record([alert('pending')], 1_000);
  watch.record([alert('firing')], 2_000);
  watch.record([alert('firing')], 3_000);
  watch.record([], 4_000);
  expect(watch.episodes).toEqual([
    {
      name: 'ReelwatchServiceRestarted',
      labels: { alertname: 'ReelwatchServiceRestarted', job: 'ingestion' },
      pendingAt: 1_000,
      firingAt: 2_000,
      resolvedAt: 4_000,
    },
  ]);
  expect(watch.active(restarted)).toBeUndefined();
});

test('each fault gets its own episode: the one that began after it and before the next fault of the same alert', () => {
  const watch = new AlertWatch('http://unused');
  watch.record([alert('firing')], 10_000);
  watch.record([], 20_000);
  watch.record([alert('firing')], 50_000);
  watch.record([], 60_000);
  const [first, second, third] = attribute(watch, [
    { expected: restarted, injectedAt: 9_000 },
    { expected: restarted, injectedAt: 40_000 },
    { expected: restarted, injectedAt: 70_000 },
  ]);
  expect([first?.firingAt, second?.firingAt, third]).toEqual([10_000, 50_000, undefined]);
  // a fault whose alert never came does not borrow the next fault's episode
  const [silent, loud] = attribute(watch, [
    { expected: restarted, injectedAt: 30_000 },
    { expected: restarted, injectedAt: 45_000 },
  ]);
  expect([silent, loud?.firingAt]).toEqual([undefined, 50_000]);
});

test('labels must match, strings exactly and patterns by test', () => {
  expect(matches(restarted, 'ReelwatchServiceRestarted', { job: 'ingestion', instance: 'a' })).toBe(true);
  expect(matches(restarted, 'ReelwatchServiceRestarted', { job: 'pg-exporter' })).toBe(false);
  expect(
    matches({ name: 'PostgreSQLDown', labels: { server: /:15433\// } }, 'PostgreSQLDown', {
      server: '127.0.0.1:15433/reelwatch',
    }),
  ).toBe(true);
});

test('the receiver got an episode when alert-sink logged its firing and resolved notifications', () => {
  const episode = {
    name: restarted.name,
    labels: { job: 'ingestion' },
    firingAt: Date.parse('2026-12-03T17:00:05Z'),
  };
  const labels = { alertname: restarted.name, job: 'ingestion' };
  expect(
    delivered(
      [
        { status: 'firing', labels, startsAt: '2026-12-03T17:00:04Z' },
        { status: 'resolved', labels, startsAt: '2026-12-03T17:00:04Z' },
      ],
      restarted,
      episode,
    ),
  ).toEqual({ firing: true, resolved: true });
  expect(
    delivered([{ status: 'firing', labels, startsAt: '2026-12-03T17:00:04Z' }], restarted, episode),
  ).toEqual({
    firing: true,
    resolved: false,
  });
});

test('a notification counts only for the episode whose firing it starts, not an earlier or later one', () => {
  // Alertmanager merged two episodes: the first's resolution was never sent before the second fired
  const first = {
    name: restarted.name,
    labels: { job: 'ingestion' },
    firingAt: Date.parse('2026-12-03T17:00:05Z'),
  };
  const second = {
    name: restarted.name,
    labels: { job: 'ingestion' },
    firingAt: Date.parse('2026-12-03T17:12:05Z'),
  };
  const labels = { alertname: restarted.name, job: 'ingestion' };
  const log = [
    { status: 'firing' as const, labels, startsAt: '2026-12-03T17:00:04Z' },
    { status: 'resolved' as const, labels, startsAt: '2026-12-03T17:12:04Z' },
  ];
  expect(delivered(log, restarted, first)).toEqual({ firing: true, resolved: false });
  expect(delivered(log, restarted, second)).toEqual({ firing: false, resolved: true });
});
