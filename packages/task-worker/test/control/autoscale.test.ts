import { autoscale } from '../../src/control/autoscale';
import { FakeTarget } from './fake-target';

describe('autoscale', () => {
  it('sets the bounds, keeping at least one slot for a min of 0', async () => {
    const target = new FakeTarget();
    expect(await autoscale.execute(target, { max: 6, min: 2 })).toBe('autoscale now max=6 min=2');
    expect(await autoscale.execute(target, { max: 3, min: 0 })).toBe('autoscale now max=3 min=0');
    expect(target.calls).toEqual([
      ['setAutoscale', 6, 2],
      ['setAutoscale', 3, 1],
    ]);
  });

  it('rejects max below min, a missing or zero max and a max beyond 1000', () => {
    expect(() => autoscale.validate({ max: 2, min: 3 })).toThrow(
      'autoscale needs max >= min >= 0 and max >= 1',
    );
    expect(() => autoscale.validate({ min: 1 })).toThrow('autoscale needs max >= min >= 0 and max >= 1');
    expect(() => autoscale.validate({ max: 0 })).toThrow("expected a positive integer, got '0'");
    expect(() => autoscale.validate({ max: 1001 })).toThrow('autoscale max cannot exceed 1000');
  });
});
