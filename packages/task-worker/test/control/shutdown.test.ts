import { shutdown } from '../../src/control/shutdown';
import { FakeTarget } from './fake-target';

it('shutdown answers first and asks the worker to stop only after the reply', async () => {
  const target = new FakeTarget();
  expect(await shutdown.execute(target, {})).toBe('Warm shutdown');
  expect(target.calls).toEqual([]);
  shutdown.afterReply(target);
  expect(target.calls).toEqual([['requestShutdown', 'remote shutdown']]);
});
