import { MissingBinaryError } from '@reelwatch/testkit';
import { CHROMIUM, CHROMIUM_ARGS, chromiumPath } from './browser';

describe('the browser of the web UI tests', () => {
  test("is Debian's Chromium, never a downloaded one", () => {
    expect(CHROMIUM).toBe('/usr/bin/chromium');
    expect(CHROMIUM_ARGS).toEqual(expect.arrayContaining(['--headless', '--no-sandbox', '--disable-gpu']));
  });

  test('a missing browser fails naming the Debian package chromium', () => {
    const missing = '/nonexistent/usr/bin/chromium';
    expect(() => chromiumPath(missing)).toThrow(MissingBinaryError);
    expect(() => chromiumPath(missing)).toThrow(
      /install the Debian package chromium \(apt-get install chromium\)/,
    );
  });
});
