import { parseGoDurationMs, parseUserQueries, userQuerySamples, versionSatisfies } from '../src/user-queries';

const YAML_TEXT = `
pg_custom:
  query: "SELECT 1"
  master: true
  cache_seconds: 30
  runonserver: ">=13.0.0"
  metrics:
    - name:
        usage: "LABEL"
        description: "a name"
    - hits:
        usage: "COUNTER"
        description: "hits"
    - level:
        usage: "GAUGE"
        description: "level"
    - mode:
        usage: "MAPPEDMETRIC"
        description: "mode"
        metric_mapping:
          fast: 1
          slow: 2
    - took:
        usage: "DURATION"
        description: "took"
    - junk:
        usage: "DISCARD"
        description: "ignored"
`;

describe('user queries (queries.yaml)', () => {
  it('parses every usage, master, cache_seconds and runonserver', () => {
    const [q] = parseUserQueries(YAML_TEXT);
    expect(q).toMatchObject({
      namespace: 'pg_custom',
      master: true,
      cacheSeconds: 30,
      runOnServer: '>=13.0.0',
    });
    expect(q?.labels).toEqual(['name']);
    expect(q?.columns.map((c) => c.usage)).toEqual([
      'LABEL',
      'COUNTER',
      'GAUGE',
      'MAPPEDMETRIC',
      'DURATION',
      'DISCARD',
    ]);
  });

  it('maps rows to samples: NULL skipped, DISCARD dropped, durations in milliseconds', () => {
    const [q] = parseUserQueries(YAML_TEXT);
    const samples = userQuerySamples(q!, [
      { name: 'a', hits: '5', level: null, mode: 'slow', took: '1.5s', junk: 9, extra: '3' },
    ]);
    expect(samples).toEqual([
      { name: 'pg_custom_hits', help: 'hits', type: 'counter', labels: { name: 'a' }, value: 5 },
      { name: 'pg_custom_mode', help: 'mode', type: 'gauge', labels: { name: 'a' }, value: 2 },
      {
        name: 'pg_custom_took_milliseconds',
        help: 'took',
        type: 'gauge',
        labels: { name: 'a' },
        value: 1500,
      },
      {
        name: 'pg_custom_extra',
        help: 'Unknown metric from pg_custom',
        type: 'untyped',
        labels: { name: 'a' },
        value: 3,
      },
    ]);
  });

  it('rejects an unknown usage with the namespace in the message', () => {
    expect(() =>
      parseUserQueries('pg_bad:\n  query: "SELECT 1"\n  metrics:\n    - x:\n        usage: "NOPE"\n'),
    ).toThrow(/pg_bad/);
  });

  it('matches runonserver ranges against server_version_num', () => {
    expect(versionSatisfies('', 150004)).toBe(true);
    expect(versionSatisfies('>=10.0.0', 150004)).toBe(true);
    expect(versionSatisfies('>=10.0.0 <15.0.0', 150004)).toBe(false);
    expect(versionSatisfies('<12.0.0 || >=15.0.0', 150004)).toBe(true);
    expect(versionSatisfies('>9.6.0', 90624)).toBe(true);
  });

  it('parses Go durations', () => {
    expect(parseGoDurationMs('1h2m3s')).toBe(3_723_000);
    expect(parseGoDurationMs('250ms')).toBe(250);
    expect(parseGoDurationMs('-1')).toBeUndefined();
    expect(parseGoDurationMs('soon')).toBeUndefined();
  });
});
