import { addConsumer } from '../../src/control/add-consumer';
import { FakeTarget } from './fake-target';

describe('add_consumer', () => {
  it('adds a consumer and waits until it is ready', async () => {
    const target = new FakeTarget();
    expect(await addConsumer.execute(target, { queue: 'exports' })).toBe('add consumer exports');
    expect(target.calls).toEqual([['consumerReady', 'exports']]);
  });

  it('says so for a queue already consumed and requires a queue', async () => {
    const target = new FakeTarget();
    expect(await addConsumer.execute(target, { queue: 'default' })).toBe("already consuming from 'default'");
    expect(() => addConsumer.validate({})).toThrow("'queue' is required");
  });
});
