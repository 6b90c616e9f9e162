import { AUTOSCALE_IDLE_TICKS, Autoscaler, autoscaleStep } from '../src/autoscaler';

const bounds = { max: 8, min: 2 };

describe('autoscaleStep', () => {
  it('grows to the demand at once, up to max', () => {
    expect(autoscaleStep({ size: 2, demand: 5 }, bounds, 1)).toEqual({ size: 5, idleTicks: 0 });
    expect(autoscaleStep({ size: 2, demand: 50 }, bounds, 0)).toEqual({ size: 8, idleTicks: 0 });
  });

  it('shrinks to the demand, down to min, only after three ticks of lower demand in a row', () => {
    expect(AUTOSCALE_IDLE_TICKS).toBe(3);
    expect(autoscaleStep({ size: 6, demand: 0 }, bounds, 0)).toEqual({ size: null, idleTicks: 1 });
    expect(autoscaleStep({ size: 6, demand: 0 }, bounds, 1)).toEqual({ size: null, idleTicks: 2 });
    expect(autoscaleStep({ size: 6, demand: 0 }, bounds, 2)).toEqual({ size: 2, idleTicks: 0 });
    expect(autoscaleStep({ size: 6, demand: 4 }, bounds, 2)).toEqual({ size: 4, idleTicks: 0 });
  });

  it('resets the idle count when demand matches the pool or the pool is at a bound', () => {
    expect(autoscaleStep({ size: 4, demand: 4 }, bounds, 2)).toEqual({ size: null, idleTicks: 0 });
    expect(autoscaleStep({ size: 2, demand: 0 }, bounds, 2)).toEqual({ size: null, idleTicks: 0 });
    expect(autoscaleStep({ size: 8, demand: 20 }, bounds, 2)).toEqual({ size: null, idleTicks: 0 });
  });
});

describe('Autoscaler', () => {
  it('resizes the pool from its ticks and does nothing without bounds', () => {
    const pool = { size: 2, demand: 6 };
    const sizes: number[] = [];
    const scaler = new Autoscaler(
      null,
      () => pool,
      (size) => sizes.push(size),
    );
    scaler.tick();
    expect(sizes).toEqual([]);
    scaler.bounds = bounds;
    scaler.tick();
    pool.size = 6;
    pool.demand = 1;
    scaler.tick();
    scaler.tick();
    scaler.tick();
    expect(sizes).toEqual([6, 2]);
  });
});
