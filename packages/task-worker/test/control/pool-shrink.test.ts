import { poolShrink } from '../../src/control/pool-shrink';
import { FakeTarget } from './fake-target';

describe('pool_shrink', () => {
  it('shrinks the pool by n', async () => {
    const target = new FakeTarget();
    expect(await poolShrink.execute(target, { n: 3 })).toBe('pool will shrink by 3');
    expect(target.concurrency).toBe(1);
  });

  it('refuses to shrink below one slot', async () => {
    const target = new FakeTarget();
    await expect(poolShrink.execute(target, { n: 4 })).rejects.toThrow(
      'cannot shrink the pool below 1 (now 4)',
    );
    expect(target.calls).toEqual([]);
  });
});
