import { runWithLimits } from '../src/time-limits';

function abortable(signal: AbortSignal, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('done'), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

describe('runWithLimits', () => {
  it('resolves with the result and registers the kill before the task starts', async () => {
    const order: string[] = [];
    const result = runWithLimits(
      undefined,
      new AbortController(),
      () => order.push('register'),
      () => {
        order.push('run');
        return 42;
      },
    );
    await expect(result).resolves.toBe(42);
    expect(order).toEqual(['register', 'run']);
  });

  it('aborts the signal at the soft limit and lets the task fail on its own terms', async () => {
    const controller = new AbortController();
    const run = runWithLimits(
      { soft: 0.01, hard: null },
      controller,
      () => {},
      () => abortable(controller.signal, 5000),
    );
    await expect(run).rejects.toMatchObject({ code: 'SOFT_TIME_LIMIT_EXCEEDED', retryable: false });
  });

  it('fails the task at the hard limit even when it ignores its signal', async () => {
    const run = runWithLimits(
      { soft: null, hard: 0.01 },
      new AbortController(),
      () => {},
      () => new Promise((resolve) => setTimeout(resolve, 200)),
    );
    await expect(run).rejects.toMatchObject({
      code: 'TIME_LIMIT_EXCEEDED',
      message: 'TimeLimitExceeded(0.01)',
    });
  });

  it('fails at once when killed and aborts the signal with the reason', async () => {
    const controller = new AbortController();
    let kill: (reason: Error) => void = () => {};
    const run = runWithLimits(
      undefined,
      controller,
      (k) => (kill = k),
      () => new Promise(() => {}),
    );
    kill(new Error('revoked'));
    await expect(run).rejects.toThrow('revoked');
    expect(controller.signal.aborted).toBe(true);
  });
});
