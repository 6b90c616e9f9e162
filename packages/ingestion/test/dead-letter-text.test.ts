import { deadLetterText, MAX_DEAD_LETTER_TEXT_LENGTH } from '../src/batch-aggregator';
import { MAX_LINE_LENGTH } from '../src/parse-event-line';

test('deadLetterText keeps every line the parser could read whole, NUL replaced', () => {
  expect(MAX_DEAD_LETTER_TEXT_LENGTH).toBeGreaterThanOrEqual(MAX_LINE_LENGTH);
  expect(deadLetterText('a\u0000b')).toEqual({ rawText: 'a\uFFFDb', rawLength: 3 });
  const line = 'x'.repeat(MAX_DEAD_LETTER_TEXT_LENGTH);
  expect(deadLetterText(line)).toEqual({ rawText: line, rawLength: line.length });
  expect(deadLetterText('')).toEqual({ rawText: '', rawLength: 0 });
});

test('deadLetterText cuts a huge line to the cap and keeps its original length in characters', () => {
  const huge = 'y'.repeat(1_000_000);
  const { rawText, rawLength } = deadLetterText(huge);
  expect(rawText).toBe('y'.repeat(MAX_DEAD_LETTER_TEXT_LENGTH));
  expect(rawLength).toBe(1_000_000);
});

test('deadLetterText counts code points as PostgreSQL does and never splits a surrogate pair', () => {
  const line = '😀'.repeat(6); // 6 code points, 12 UTF-16 units
  expect(deadLetterText(line, 4)).toEqual({ rawText: '😀'.repeat(4), rawLength: 6 });
  expect(deadLetterText('a😀b', 2)).toEqual({ rawText: 'a😀', rawLength: 3 });
  // A lone surrogate (from a broken encoding) counts as one character.
  expect(deadLetterText('\uD800abc', 2)).toEqual({ rawText: '\uD800a', rawLength: 4 });
});
