import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBinary } from '../../src/native/binaries';
import { runStack } from '../../src/run';
import { Capture, REPO_ROOT } from '../support';
import { freePortBase } from '../support-ports';

describe('native up with a binary missing', () => {
  let binDir: string;
  let stateDir: string;
  beforeAll(() => {
    binDir = mkdtempSync(path.join(os.tmpdir(), 'stack-missing-bin-'));
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'stack-missing-state-'));
    for (const binary of ['initdb', 'postgres', 'pg_basebackup', 'kcat', 'prometheus']) {
      const found = findBinary(binary);
      if (!found) throw new Error(`${binary} is needed for this test and is not installed`);
      symlinkSync(found, path.join(binDir, binary));
    }
  });
  afterAll(() => {
    rmSync(binDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('with --no-install names the Debian package and stops before starting anything', async () => {
    const stderr = new Capture();
    const code = await runStack(
      [
        'up',
        '--mode',
        'native',
        '--no-install',
        '--state-dir',
        stateDir,
        '--port-base',
        String(await freePortBase()),
      ],
      { stdout: new Capture(), stderr, root: REPO_ROOT, env: { PATH: binDir } },
    );
    expect(code).toBe(1);
    expect(stderr.text).toContain(
      'error: missing redis-server: install the packages redis-server (Debian/Ubuntu: sudo apt-get install redis-server), then run pnpm stack up again',
    );
    expect(existsSync(path.join(stateDir, 'state.json'))).toBe(false);
    expect(existsSync(path.join(stateDir, 'lock'))).toBe(false);
  });
});
