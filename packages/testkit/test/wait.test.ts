import { GiveUpWaiting, WaitTimeoutError, waitFor } from '../src/wait';

describe('waitFor', () => {
  test('returns the first truthy probe result', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : undefined), {
      timeoutMs: 5_000,
      intervalMs: 1,
      what: 'three calls',
    });
    expect(value).toBe('after 3');
  });

  test('names what it waited for and the last error when the deadline passes', async () => {
    const waiting = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 100, intervalMs: 10, what: 'the thing' },
    );
    await expect(waiting).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(waiting).rejects.toThrow(/waiting for the thing; last error: connection refused/);
  });

  test('gives up at once on GiveUpWaiting', async () => {
    const started = Date.now();
    await expect(
      waitFor(
        () => {
          throw new GiveUpWaiting('server exited');
        },
        { timeoutMs: 10_000, what: 'a dead server' },
      ),
    ).rejects.toThrow('server exited');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
