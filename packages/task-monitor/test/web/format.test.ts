import { duration, esc, relative, show, timeHtml, utc } from '../../src/web/format';

describe('what the pages show instead of raw values', () => {
  test('show renders null, undefined, empty and NaN as an em dash, numbers with separators', () => {
    for (const missing of [null, undefined, '', Number.NaN]) expect(show(missing)).toBe('—');
    expect(show(12345)).toBe('12,345');
    expect(show(0)).toBe('0');
    expect(show('<b>')).toBe('&lt;b&gt;');
  });

  test('esc escapes the characters that matter in HTML text and attributes', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('a time is relative and absolute UTC, never an epoch number', () => {
    const now = 1_796_000_000;
    const html = timeHtml(now - 75, now);
    expect(html).toContain('>1 min ago</time>');
    expect(html).toContain(`${utc(now - 75)}`);
    expect(utc(now - 75)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(html).toContain('datetime="');
    expect(html.replace(/data-ts="[^"]*"/, '')).not.toMatch(/1796\d{6}/);
    expect(timeHtml(null, now)).toBe('—');
    expect(timeHtml(0, now)).toBe('—');
  });

  test('relative words past and future', () => {
    expect(relative(100, 100.5)).toBe('just now');
    expect(relative(100, 130)).toBe('30 s ago');
    expect(relative(100, 100 + 7200)).toBe('2 h ago');
    expect(relative(100 + 180, 100)).toBe('in 3 min');
    expect(relative(0, 3 * 86_400)).toBe('3 d ago');
  });

  test('durations carry their unit', () => {
    expect(duration(0.0123)).toBe('12 ms');
    expect(duration(2.5)).toBe('2.50 s');
    expect(duration(42)).toBe('42.0 s');
    expect(duration(185)).toBe('3 min 5 s');
    expect(duration(3600 * 2 + 60 * 5)).toBe('2 h 5 min');
    expect(duration(900)).toBe('15 min');
    expect(duration(3600)).toBe('1 h');
    expect(duration(null)).toBe('—');
  });
});
