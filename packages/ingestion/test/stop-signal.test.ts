import { jittered, nextDelay, StopSignal } from '../src/stop-signal';

test('stop ends every sleep in progress at once', async () => {
  const stop = new StopSignal();
  const started = Date.now();
  const sleeping = Promise.all([stop.sleep(60_000), stop.sleep(60_000)]);
  stop.stop();
  await sleeping;
  expect(stop.stopped).toBe(true);
  expect(Date.now() - started).toBeLessThan(1_000);
});

test('a sleep after stop returns at once', async () => {
  const stop = new StopSignal();
  stop.stop();
  const started = Date.now();
  await stop.sleep(60_000);
  expect(Date.now() - started).toBeLessThan(1_000);
});

test('the wake function handed to onWake ends that sleep only', async () => {
  const stop = new StopSignal();
  let wake: (() => void) | undefined;
  const started = Date.now();
  await Promise.all([stop.sleep(60_000, (w) => (wake = w)), Promise.resolve().then(() => wake?.())]);
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(stop.stopped).toBe(false);
});

test('jittered stays within [delay/2, delay] and nextDelay doubles up to the maximum', () => {
  for (let i = 0; i < 100; i++) {
    const d = jittered(1_000);
    expect(d).toBeGreaterThanOrEqual(500);
    expect(d).toBeLessThanOrEqual(1_000);
  }
  expect(nextDelay(200, 10_000)).toBe(400);
  expect(nextDelay(8_000, 10_000)).toBe(10_000);
});
