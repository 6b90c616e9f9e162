import { EventGenerator } from '@reelwatch/event-producer';
import { aggregateBatch } from '../src/aggregation';
import { arrayText } from '../src/array-text';
import { BatchAggregator } from '../src/batch-aggregator';
import { FastLineAggregator } from '../src/fast-line';
import { PackedBatch } from '../src/packed-batch';
import { AGGREGATE_PARAMETER_COUNT } from '../src/write-statement';

const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

test('arrayText gives node-pg prepareValue output for every parameter of a real aggregate, dead letters included', () => {
  const messages = [...new EventGenerator({ seed: 61, malformedRatio: 0.05 }).take(20_000)].map((e, i) => ({
    offset: String(i),
    value: Buffer.from(e.line, 'utf8'),
  }));
  // Dead letters whose text needs escaping: quotes, backslashes, braces, commas, spaces, "NULL".
  for (const raw of ['say "hi"', 'back\\slash', '{a,b}', 'NULL', '', ' x ']) {
    messages.push({ offset: String(messages.length), value: Buffer.from(raw, 'utf8') });
  }
  const aggregate = new BatchAggregator();
  aggregateBatch(aggregate, new FastLineAggregator(), PackedBatch.of('t', 3, messages, 0n).data);
  const values = aggregate.parameters();
  expect(values.length).toBe(AGGREGATE_PARAMETER_COUNT);
  expect(aggregate.deadLetterTotal).toBeGreaterThan(900);
  for (const value of values) expect(arrayText(value)).toEqual(prepareValue(value));
});

test.each([
  [[]],
  [[1, 2.5, -3, 1_700_000_000_000_000]],
  [['a', 'b+c', "o'brien", '1']],
  [['a"b', 'c']],
  [['a\\b']],
  [[1, 'a']],
  [[null, 'a']],
  [[Number.NaN]],
  ['not an array'],
  [42],
])('arrayText(%j) equals node-pg prepareValue', (value) => {
  expect(arrayText(value)).toEqual(prepareValue(value));
});
