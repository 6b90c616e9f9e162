import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// One marker for tests that need real servers or child processes: the file name ends in
// `.int.test.ts`. `pnpm test:unit` runs every other test file, without servers, in well under a
// minute. This keeps the marker honest: a test file that starts a server must carry it.
const root = path.resolve(__dirname, '../../..');
const NEEDS_SERVERS =
  /\bstart(Postgres|Kafka|Redis|Prometheus|Pushgateway|Alertmanager|Service|HttpDaemon)\b|\bfindBinary\b|\bpromtool\b|node:child_process/;

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(file).isDirectory()) out.push(...testFiles(file));
    else if (name.endsWith('.test.ts')) out.push(file);
  }
  return out;
}

describe('test layout', () => {
  const files = readdirSync(path.join(root, 'packages')).flatMap((pkg) => {
    const dir = path.join(root, 'packages', pkg, 'test');
    try {
      return testFiles(dir);
    } catch {
      return [];
    }
  });

  test('finds the test files of the workspace', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  test('every test file that starts a real server or a process is marked .int.test.ts', () => {
    const unmarked = files
      .filter(
        (f) => f !== __filename && !f.endsWith('.int.test.ts') && NEEDS_SERVERS.test(readFileSync(f, 'utf8')),
      )
      .map((f) => path.relative(root, f));
    expect(unmarked).toEqual([]);
  });
});
