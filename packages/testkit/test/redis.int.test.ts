import { redisPing, startRedis } from '../src/redis';
import { type ResourceSnapshot, remainingLeaks, snapshotResources } from '../src/resources';

describe('startRedis', () => {
  let before: ResourceSnapshot;
  const cleanups: Array<() => Promise<void>> = [];

  beforeEach(() => {
    before = snapshotResources();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    expect(await remainingLeaks(before)).toEqual([]);
  });

  test('startRedis answers PING on its own port', async () => {
    const redis = await startRedis();
    cleanups.push(redis.destroy);
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redisPing(redis.host, redis.port)).toBe('+PONG');
  });
});
