import { ping } from '../../src/control/ping';
import { FakeTarget } from './fake-target';

it('ping answers pong and changes nothing', async () => {
  const target = new FakeTarget();
  expect(await ping.execute(target, {})).toBe('pong');
  expect(target.calls).toEqual([]);
});
