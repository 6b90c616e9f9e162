import { rateLimit } from '../../src/control/rate-limit';
import { FakeTarget } from './fake-target';

describe('rate_limit', () => {
  it('sets and disables the rate limit of a registered task', async () => {
    const target = new FakeTarget();
    expect(await rateLimit.execute(target, { task: 'noop', rate: '20/m' })).toBe(
      'new rate limit set successfully',
    );
    expect(await rateLimit.execute(target, { task: 'noop', rate: 0 })).toBe(
      'rate limit disabled successfully',
    );
    expect(target.calls).toEqual([
      ['setRateLimit', 'noop', '20/m'],
      ['setRateLimit', 'noop', '0'],
    ]);
  });

  it('on a worker rejects an unknown task before a bad rate; without the worker, only the rate', async () => {
    const target = new FakeTarget();
    await expect(rateLimit.execute(target, { task: 'other', rate: 'fast' })).rejects.toThrow(
      "unknown task 'other'",
    );
    expect(() => rateLimit.validate({ task: 'other', rate: 'fast' })).toThrow(
      "invalid rate limit 'fast': expected n/s, n/m or n/h",
    );
    expect(target.calls).toEqual([]);
  });
});
