import * as serviceKit from '../src';

describe('the @reelwatch/service-kit entry point', () => {
  test('exports every name of the contract other packages code against', () => {
    const contract = {
      ReelwatchError: 'function',
      ConfigError: 'function',
      CONFIG_EXIT_CODE: 'number',
      loadConfig: 'function',
      loadConfigOrExit: 'function',
      maskDsn: 'function',
      describeConfig: 'function',
      createMetricsRegistry: 'function',
      createLogger: 'function',
      Readiness: 'function',
      startHttpServer: 'function',
      Lifecycle: 'function',
    };
    const actual = Object.fromEntries(
      Object.keys(contract).map((name) => [name, typeof (serviceKit as Record<string, unknown>)[name]]),
    );
    expect(actual).toEqual(contract);
    expect(serviceKit.CONFIG_EXIT_CODE).toBe(78);
  });

  test('ConfigError is a ReelwatchError with a stable code', () => {
    const error = new serviceKit.ConfigError(['A: missing']);
    expect(error).toBeInstanceOf(serviceKit.ReelwatchError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'ConfigError',
      code: 'CONFIG_INVALID',
      retryable: false,
      problems: ['A: missing'],
    });
  });

  test('ReelwatchError keeps its cause and retryable flag', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new serviceKit.ReelwatchError('DB_UNAVAILABLE', 'write batch', { cause, retryable: true });
    expect(error).toMatchObject({ code: 'DB_UNAVAILABLE', message: 'write batch', retryable: true, cause });
  });
});
