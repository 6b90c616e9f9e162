import { poolRestart } from '../../src/control/pool-restart';
import { FakeTarget } from './fake-target';

it('pool_restart restarts the pool and answers reloaded', async () => {
  const target = new FakeTarget();
  expect(await poolRestart.execute(target, {})).toBe('reloaded');
  expect(target.calls).toEqual([['restartPool']]);
});
