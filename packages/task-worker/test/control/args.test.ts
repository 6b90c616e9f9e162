import { knownTask, nonEmpty, optionalSeconds, positiveInt } from '../../src/control/args';

describe('control arguments', () => {
  it('positiveInt takes the fallback when absent and rejects zero, fractions and text', () => {
    expect(positiveInt(undefined, 1)).toBe(1);
    expect(positiveInt('3', 1)).toBe(3);
    expect(() => positiveInt(0, 1)).toThrow("expected a positive integer, got '0'");
    expect(() => positiveInt(1.5, 1)).toThrow("expected a positive integer, got '1.5'");
    expect(() => positiveInt('many', 1)).toThrow("expected a positive integer, got 'many'");
  });

  it('nonEmpty requires a non-empty string', () => {
    expect(nonEmpty('q', 'queue')).toBe('q');
    expect(() => nonEmpty('', 'queue')).toThrow("'queue' is required");
    expect(() => nonEmpty(7, 'queue')).toThrow("'queue' is required");
  });

  it('optionalSeconds reads absent as null and rejects a non-positive number', () => {
    expect(optionalSeconds(null, 'soft')).toBeNull();
    expect(optionalSeconds('', 'soft')).toBeNull();
    expect(optionalSeconds('2.5', 'soft')).toBe(2.5);
    expect(() => optionalSeconds('0', 'hard')).toThrow("'hard' must be a positive number of seconds");
  });

  it('knownTask checks registration only when the context knows the tasks', () => {
    expect(knownTask('x', undefined)).toBe('x');
    expect(knownTask('noop', { isRegistered: (t) => t === 'noop' })).toBe('noop');
    expect(() => knownTask('x', { isRegistered: () => false })).toThrow("unknown task 'x'");
  });
});
