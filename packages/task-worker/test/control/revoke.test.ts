import { revoke } from '../../src/control/revoke';
import { FakeTarget } from './fake-target';

describe('revoke', () => {
  it('flags an id, and says when terminate stopped a running task', async () => {
    const target = new FakeTarget();
    expect(await revoke.execute(target, { id: 'waiting' })).toBe('tasks flagged as revoked: waiting');
    expect(await revoke.execute(target, { id: 'running', terminate: true })).toBe('terminate: running');
    expect(target.calls).toEqual([
      ['revoke', 'waiting', false],
      ['revoke', 'running', true],
    ]);
  });

  it('takes terminate only as the boolean true and requires an id', async () => {
    const target = new FakeTarget();
    await revoke.execute(target, { id: 'running', terminate: 'true' });
    expect(target.calls).toEqual([['revoke', 'running', false]]);
    expect(() => revoke.validate({})).toThrow("'id' is required");
  });
});
