import { AlertWatch } from '../src/alert-watch';
import type { Fault } from '../src/faults';
import { previousReported } from '../src/run';
import type { StackHandle } from '../src/stack-handle';

// The receiver's log is the only part of the stack this wait reads: a pure boundary, stubbed.
const expected = { name: 'ReelwatchServiceRestarted', labels: { job: 'ingestion' } };
const labels = { alertname: expected.name, job: 'ingestion' };
const fault = { name: 'kill -9 ingestion', forSeconds: 0 } as Fault;

function setup() {
  const watch = new AlertWatch('http://unused');
  const sink: string[] = [];
  const stack = { alertSinkLog: async () => sink.join('\n') } as unknown as StackHandle;
  const lines: string[] = [];
  return { watch, sink, stack, lines, log: (l: string) => lines.push(l) };
}

test('the next fault of an alert waits until the previous fault had its episode, it resolved, and the receiver has it resolved', async () => {
  const { watch, sink, stack, lines, log } = setup();
  const injectedAt = Date.now();
  const results = [{ fault, expected, times: { injectedAt, recoveredAt: injectedAt + 100 } }];
  let done = false;
  const waiting = previousReported(stack, watch, results, expected, { timeScale: 1, log }).then(() => {
    done = true;
  });
  const tick = () => new Promise((r) => setTimeout(r, 2_500));

  await tick(); // not evaluated yet: nothing active, but the previous fault has no episode
  expect(done).toBe(false);
  const firingAt = Date.now();
  watch.record([{ state: 'firing', labels }], firingAt);
  sink.push(JSON.stringify({ status: 'firing', labels, startsAt: new Date(firingAt - 500).toISOString() }));
  await tick(); // firing
  expect(done).toBe(false);
  watch.record([], Date.now());
  await tick(); // resolved at Prometheus, but the receiver has not been told
  expect(done).toBe(false);
  sink.push(JSON.stringify({ status: 'resolved', labels, startsAt: new Date(firingAt - 500).toISOString() }));
  await waiting;
  expect(done).toBe(true);
  expect(lines).toEqual([]);
}, 20_000);

test('the first fault of an alert does not wait, nor does one whose previous fault was not injected', async () => {
  const { watch, stack, log } = setup();
  await previousReported(stack, watch, [], expected, { timeScale: 1, log });
  await previousReported(stack, watch, [{ fault, expected, times: { error: 'no process' } }], expected, {
    timeScale: 1,
    log,
  });
});
