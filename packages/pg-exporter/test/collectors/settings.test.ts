import { settingSample } from '../../src/collectors/settings';

describe('settingSample', () => {
  it('converts memory settings to bytes and names them _bytes', () => {
    expect(settingSample('shared_buffers', '16384', '8kB', 'integer')).toMatchObject({
      name: 'pg_settings_shared_buffers_bytes',
      value: 16384 * 8192,
    });
  });

  it('converts time settings to seconds and keeps -1 as -1', () => {
    expect(settingSample('statement_timeout', '1500', 'ms', 'integer')).toMatchObject({
      name: 'pg_settings_statement_timeout_seconds',
      value: 1.5,
    });
    expect(settingSample('log_min_duration_statement', '-1', 'ms', 'integer')?.value).toBe(-1);
    expect(settingSample('checkpoint_timeout', '5', 'min', 'integer')?.value).toBe(300);
  });

  it('maps booleans to 1/0 and dots in names to underscores', () => {
    expect(settingSample('fsync', 'on', '', 'bool')).toMatchObject({ name: 'pg_settings_fsync', value: 1 });
    expect(settingSample('a.b-c', 'off', '', 'bool')).toMatchObject({ name: 'pg_settings_a_b_c', value: 0 });
  });

  it('skips settings with a unit it does not know', () => {
    expect(settingSample('weird', '3', 'furlong', 'integer')).toBeUndefined();
  });
});
