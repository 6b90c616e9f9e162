import { cancelConsumer } from '../../src/control/cancel-consumer';
import { FakeTarget } from './fake-target';

describe('cancel_consumer', () => {
  it('stops consuming a queue and fails for a queue not consumed', async () => {
    const target = new FakeTarget();
    expect(await cancelConsumer.execute(target, { queue: 'default' })).toBe(
      'no longer consuming from default',
    );
    await expect(cancelConsumer.execute(target, { queue: 'default' })).rejects.toThrow(
      "not consuming from 'default'",
    );
  });
});
