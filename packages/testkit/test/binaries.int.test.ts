import { findBinary, MissingBinaryError } from '../src/binaries';
import { startKafka } from '../src/kafka';
import { startPrometheus } from '../src/prometheus';
import { startRedis } from '../src/redis';
import { snapshotResources } from '../src/resources';

describe('findBinary', () => {
  test('a missing binary raises MissingBinaryError naming the Debian package', () => {
    let thrown: unknown;
    try {
      findBinary('reelwatch-no-such-binary', 'reelwatch-no-such-package');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MissingBinaryError);
    expect(thrown).toMatchObject({
      binary: 'reelwatch-no-such-binary',
      debianPackage: 'reelwatch-no-such-package',
      code: 'MISSING_BINARY',
      message:
        'reelwatch-no-such-binary not found: install the Debian package reelwatch-no-such-package (apt-get install reelwatch-no-such-package)',
    });
  });

  test('PostgreSQL server binaries are found in /usr/lib/postgresql/<version>/bin', () => {
    expect(findBinary('initdb', 'postgresql')).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin\/initdb$/);
  });

  test('other binaries are found on PATH', () => {
    expect(findBinary('kcat', 'kcat')).toMatch(/\/kcat$/);
  });
});

describe('a start function whose binary is missing', () => {
  const savedPath = process.env.PATH;

  beforeEach(() => {
    process.env.PATH = '/reelwatch-empty-path';
  });

  afterEach(() => {
    process.env.PATH = savedPath;
  });

  test.each([
    ['startKafka', () => startKafka(), 'kcat'],
    ['startRedis', () => startRedis(), 'redis-server'],
    ['startPrometheus', () => startPrometheus({ config: 'scrape_configs: []\n' }), 'prometheus'],
  ])('%s fails with MissingBinaryError naming %s’s package and starts nothing', async (_name, start, pkg) => {
    const before = snapshotResources();
    await expect(start()).rejects.toThrow(`install the Debian package ${pkg} (apt-get install ${pkg})`);
    await expect(start()).rejects.toBeInstanceOf(MissingBinaryError);
    expect(snapshotResources().tempDirs).toEqual(before.tempDirs);
  });
});
