import { timeLimit } from '../../src/control/time-limit';
import { FakeTarget } from './fake-target';

describe('time_limit', () => {
  it('sets the soft and hard limits of a registered task, absent ones as null', async () => {
    const target = new FakeTarget();
    expect(await timeLimit.execute(target, { task: 'noop', soft: '3', hard: null })).toBe(
      'time limits set successfully',
    );
    expect(target.calls).toEqual([['setTimeLimit', 'noop', 3, null]]);
  });

  it('rejects an unknown task and a limit that is not a positive number', async () => {
    const target = new FakeTarget();
    await expect(timeLimit.execute(target, { task: 'other' })).rejects.toThrow("unknown task 'other'");
    expect(() => timeLimit.validate({ task: 'noop', hard: '-1' })).toThrow(
      "'hard' must be a positive number of seconds",
    );
  });
});
