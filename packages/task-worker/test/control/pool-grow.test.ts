import { poolGrow } from '../../src/control/pool-grow';
import { FakeTarget } from './fake-target';

describe('pool_grow', () => {
  it('grows the pool by n, 1 by default', async () => {
    const target = new FakeTarget();
    expect(await poolGrow.execute(target, { n: 3 })).toBe('pool will grow by 3');
    expect(await poolGrow.execute(target, {})).toBe('pool will grow by 1');
    expect(target.concurrency).toBe(8);
  });

  it('refuses to grow beyond 1000 slots and rejects a bad n before acting', async () => {
    const target = new FakeTarget();
    await expect(poolGrow.execute(target, { n: 997 })).rejects.toThrow('cannot grow the pool beyond 1000');
    expect(() => poolGrow.validate({ n: 0 })).toThrow("expected a positive integer, got '0'");
    expect(target.calls).toEqual([]);
  });
});
