import { StartSpacing } from '../src/start-spacing';

it('StartSpacing delays each start until one interval after the previous one', () => {
  const spacing = new StartSpacing('2/s', 500);
  expect(spacing.delay(1000)).toBe(0);
  expect(spacing.delay(1000)).toBe(500);
  expect(spacing.delay(1200)).toBe(800);
  expect(spacing.delay(5000)).toBe(0);
  expect(spacing.text).toBe('2/s');
});
