import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StackContext } from '../../src/context';
import { DOCTOR_CHECKS, type DoctorCheck, runDoctor } from '../../src/doctor';
import { Output } from '../../src/output';
import { Capture, REPO_ROOT } from '../support';

function context(stateDir: string): StackContext {
  return {
    root: REPO_ROOT,
    stateDir,
    envFile: path.join(stateDir, 'missing.env'),
    env: { PATH: process.env.PATH ?? '' },
    out: new Output({ stdout: new Capture(), stderr: new Capture(), json: false, color: false }),
    mode: 'native',
    portBase: undefined,
    signal: new AbortController().signal,
  };
}

describe('doctor', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'doctor-unit-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  test('lists every check file of src/doctor once', () => {
    const files = readdirSync(path.join(__dirname, '../../src/doctor')).filter(
      (f) => f !== 'index.ts' && f !== 'check.ts',
    );
    expect(DOCTOR_CHECKS).toHaveLength(files.length);
    expect(new Set(DOCTOR_CHECKS.map((c) => c.name)).size).toBe(files.length);
  });

  test('a check that throws becomes an error finding and the checks after it still run', async () => {
    const broken: DoctorCheck = {
      name: 'broken',
      run() {
        throw new Error('boom');
      },
    };
    const after: DoctorCheck = {
      name: 'after',
      run: () => [{ check: 'after', severity: 'ok', message: 'ran' }],
    };
    const findings = await runDoctor(context(stateDir), [broken, after]);
    expect(findings).toEqual([
      { check: 'broken', severity: 'error', message: 'the check itself failed: boom' },
      { check: 'after', severity: 'ok', message: 'ran' },
    ]);
  });

  test('skips a check that does not apply', async () => {
    const dockerOnly: DoctorCheck = {
      name: 'docker only',
      applies: ({ useDocker }) => useDocker,
      run: () => [{ check: 'docker only', severity: 'error', message: 'ran' }],
    };
    expect(await runDoctor(context(stateDir), [dockerOnly])).toEqual([]);
  });
});
