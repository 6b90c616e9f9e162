import { ExpositionWriter, num } from '../src/exposition';

describe('ExpositionWriter', () => {
  it('writes HELP and TYPE once per family and appends extra then constant labels', () => {
    const w = new ExpositionWriter({ env: 'test' });
    w.add({ name: 'pg_x', help: 'X', type: 'gauge', labels: { a: '1' }, value: 1 }, { server: 's1' });
    w.add({ name: 'pg_x', help: 'X', type: 'gauge', labels: { a: '2' }, value: 2.5 }, { server: 's1' });
    const { text, duplicates, series } = w.finish();
    expect(text).toBe(
      '# HELP pg_x X\n# TYPE pg_x gauge\npg_x{a="1",server="s1",env="test"} 1\npg_x{a="2",server="s1",env="test"} 2.5\n',
    );
    expect(duplicates).toBe(0);
    expect(series).toBe(2);
  });

  it('drops and counts a second sample with the same name and label set', () => {
    const w = new ExpositionWriter();
    w.add({ name: 'pg_x', help: 'X', type: 'gauge', labels: { a: '1' }, value: 1 });
    w.add({ name: 'pg_x', help: 'X', type: 'gauge', labels: { a: '1' }, value: 7 });
    w.add({ name: 'pg_x', help: 'X', type: 'counter', labels: { a: '3' }, value: 7 });
    const result = w.finish();
    expect(result.text).toContain('pg_x{a="1"} 1\n');
    expect(result.text).not.toContain(' 7');
    expect(result.duplicates).toBe(1);
    expect(result.conflicts).toBe(1);
  });

  it('escapes label values and help text', () => {
    const w = new ExpositionWriter();
    w.add({
      name: 'pg_y',
      help: 'a\\b\nc',
      type: 'untyped',
      labels: { q: 'say "hi"\\\n' },
      value: Number.NaN,
    });
    expect(w.finish().text).toBe(
      '# HELP pg_y a\\\\b\\nc\n# TYPE pg_y untyped\npg_y{q="say \\"hi\\"\\\\\\n"} NaN\n',
    );
  });
});

describe('num', () => {
  it('treats NULL as no value rather than 0', () => {
    expect(num(null)).toBeUndefined();
    expect(num(undefined)).toBeUndefined();
    expect(num('12')).toBe(12);
    expect(num('abc')).toBeUndefined();
    expect(num(true)).toBe(1);
  });
});
