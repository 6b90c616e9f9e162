import { SlotPool } from '../src/slot-pool';

describe('SlotPool', () => {
  it('hands out free slots at once and queues the rest in order', async () => {
    const pool = new SlotPool(1);
    expect(pool.acquire()).toBeUndefined();
    const order: string[] = [];
    const a = pool.acquire()!.then(() => order.push('a'));
    const b = pool.acquire()!.then(() => order.push('b'));
    expect([pool.active, pool.waiting]).toEqual([1, 2]);
    pool.release();
    await a;
    expect(order).toEqual(['a']);
    pool.release();
    await b;
    expect(order).toEqual(['a', 'b']);
  });

  it('lets waiters in when it grows and stops handing out slots when it shrinks', async () => {
    const pool = new SlotPool(1);
    pool.acquire();
    const waiting = pool.acquire();
    pool.resize(2);
    await waiting;
    expect([pool.active, pool.waiting]).toEqual([2, 0]);
    pool.resize(1);
    pool.release();
    expect(pool.acquire()).toBeInstanceOf(Promise);
  });
});
