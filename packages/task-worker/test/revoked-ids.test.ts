import { REVOKED_MEMORY, RevokedIds } from '../src/revoked-ids';

it('RevokedIds forgets the oldest id beyond its capacity', () => {
  expect(REVOKED_MEMORY).toBe(50_000);
  const ids = new RevokedIds(2);
  ids.add('a');
  ids.add('b');
  ids.add('c');
  expect([ids.has('a'), ids.has('b'), ids.has('c'), ids.size]).toEqual([false, true, true, 2]);
});
