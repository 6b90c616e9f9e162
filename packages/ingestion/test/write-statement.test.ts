import { BatchAggregator } from '../src/batch-aggregator';
import { parseEventLine } from '../src/parse-event-line';
import {
  AGGREGATE_PARAMETER_COUNT,
  aggregateParameters,
  aggregateParameterText,
  statementParameters,
  WRITE_BATCH_SQL,
} from '../src/write-statement';

/** Every `$n::type` of the statement: placeholder number -> the SQL type it is cast to. */
function placeholderTypes(): Map<number, string> {
  const types = new Map<number, string>();
  for (const m of WRITE_BATCH_SQL.matchAll(/\$(\d+)::([a-z]+(?:\[\])?)/g)) {
    const n = Number(m[1]);
    const type = m[2]!;
    if (types.has(n) && types.get(n) !== type) throw new Error(`$${n} cast to two types`);
    types.set(n, type);
  }
  return types;
}

function sampleAggregate(): BatchAggregator {
  const a = new BatchAggregator();
  const lines = [
    '2026-01-01T00:00:00Z,1,GET /data/m/inception+2010/7.mpg',
    '2026-01-01T00:01:00Z,2,GET /rate/inception+2010=4',
    '2026-01-01T00:02:00Z,3,recommendation request host:8080, status 200, result: a, b, 12 ms',
    'not an event',
  ];
  for (const [i, line] of lines.entries()) a.addParsed(parseEventLine(line), 0, String(i), line);
  return a;
}

test('the write statement uses exactly the placeholders $1 to $46, each cast to one type', () => {
  const types = placeholderTypes();
  expect([...types.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 46 }, (_, i) => i + 1));
});

test('statementParameters puts the topic at $35, the offsets at $42-$43, the group at $44 and the guard at $45-$46', () => {
  const values = Array.from({ length: AGGREGATE_PARAMETER_COUNT }, (_, i) => [`v${i}`]);
  const params = statementParameters(values, 'topic-a', 'group-a', new Map([[2, 17n]]), {
    partitions: [2],
    prev: ['9'],
  });
  expect(params).toHaveLength(46);
  expect(params[34]).toBe('topic-a');
  expect(params.slice(0, 34)).toEqual(values.slice(0, 34));
  expect(params.slice(35, 41)).toEqual(values.slice(34));
  expect(params.slice(41)).toEqual([[2], ['17'], 'group-a', [2], ['9']]);
});

test('statementParameters without a guard sends empty guard arrays (the transaction checked the offsets itself)', () => {
  const params = statementParameters(aggregateParameters(new BatchAggregator()), 't', 'g', new Map());
  expect(params.slice(44)).toEqual([[], []]);
});

test('every parameter of a real aggregate matches its cast: an array for every array type, text for text', () => {
  const types = placeholderTypes();
  const aggregate = sampleAggregate();
  const params = statementParameters(aggregateParameters(aggregate), 't', 'g', new Map([[0, 3n]]));
  expect(aggregateParameters(aggregate)).toHaveLength(AGGREGATE_PARAMETER_COUNT);
  for (const [n, type] of types) {
    const value = params[n - 1];
    if (type.endsWith('[]')) expect(Array.isArray(value)).toBe(true);
    else expect(typeof value).toBe('string');
  }
  // Within one table, every column array has one entry per row.
  const lengths = (from: number, to: number) =>
    new Set(params.slice(from - 1, to).map((v) => (v as unknown[]).length));
  for (const [from, to] of [
    [1, 6],
    [7, 11],
    [12, 18],
    [19, 23],
    [24, 26],
    [27, 34],
    [36, 41],
  ] as const) {
    expect(lengths(from, to).size).toBe(1);
  }
  expect((params[0] as unknown[]).length).toBe(3); // users 1, 2, 3
  expect((params[35] as unknown[]).length).toBe(1); // the dead letter
});

test('aggregateParameterText is aggregateParameters as PostgreSQL array text', () => {
  const text = aggregateParameterText(sampleAggregate());
  expect(text).toHaveLength(AGGREGATE_PARAMETER_COUNT);
  expect(text[0]).toBe('{"1","2","3"}');
});
