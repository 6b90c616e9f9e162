import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { snapshotLoopScript } from '../../src/components/training-snapshot';
import { blockedFor, choosePostgresRoot, systemPostgresRoot } from '../../src/native/postgres-root';

// Where PostgreSQL's data goes: the state dir, or as root (PostgreSQL then runs as `postgres`)
// a root-owned place under /var/lib when `postgres` cannot reach the state dir.
describe('where the native PostgreSQL keeps its data', () => {
  let parent: string;
  // a uid/gid that owns nothing here, standing for the postgres user
  const postgres = { uid: 54_321, gid: 54_321 };
  beforeEach(() => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'stack-pgroot-'));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('names one stable directory per state dir path under /var/lib/reelwatch-stack', () => {
    const a = systemPostgresRoot('/root/reelwatch/.stack');
    expect(a).toMatch(/^\/var\/lib\/reelwatch-stack\/[0-9a-f]{16}$/);
    expect(systemPostgresRoot('/root/reelwatch/./.stack')).toBe(a);
    expect(systemPostgresRoot('/root/other/.stack')).not.toBe(a);
  });

  it('keeps the data in the state dir when not root, or when the postgres user can reach it', () => {
    const stateDir = path.join(parent, 'state');
    expect(choosePostgresRoot(stateDir, undefined)).toBe(stateDir);
    chmodSync(parent, 0o711);
    expect(blockedFor(stateDir, postgres)).toBeUndefined();
    expect(choosePostgresRoot(stateDir, postgres)).toBe(stateDir);
  });

  it('moves it to /var/lib/reelwatch-stack/<hash> when a parent is closed to the postgres user', () => {
    const stateDir = path.join(parent, 'repo', '.stack');
    chmodSync(parent, 0o700);
    expect(blockedFor(stateDir, postgres)).toBe(parent);
    expect(choosePostgresRoot(stateDir, postgres)).toBe(systemPostgresRoot(stateDir));
  });

  it('keeps using data that already exists in the state dir (a stack set up before this rule)', () => {
    const stateDir = path.join(parent, 'repo', '.stack');
    chmodSync(parent, 0o700);
    mkdirSync(path.join(stateDir, 'postgres-primary', 'data'), { recursive: true });
    writeFileSync(path.join(stateDir, 'postgres-primary', 'data', 'PG_VERSION'), '15\n');
    expect(choosePostgresRoot(stateDir, postgres)).toBe(stateDir);
  });
});

describe('the training-snapshot loop', () => {
  it('runs the job, survives a failed run and sleeps the interval, like the Compose service', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "stack-loop-it's-"));
    try {
      const job = path.join(dir, 'job.js');
      const counter = path.join(dir, 'runs');
      // fails the first run, succeeds the second; the test stops the loop after two runs
      writeFileSync(
        job,
        `const fs=require('fs');const f=${JSON.stringify(counter)};const n=(fs.existsSync(f)?Number(fs.readFileSync(f,'utf8')):0)+1;fs.writeFileSync(f,String(n));if(n>=2){console.log('second run');process.kill(process.ppid,'SIGTERM')}process.exit(n===1?1:0)`,
      );
      const result = spawnSync('/bin/sh', ['-c', snapshotLoopScript(process.execPath, job, 0, 0)], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.stdout).toMatch(/--- training-snapshot run at \S+Z ---/);
      expect(result.stdout).toContain('--- training-snapshot run failed (exit 1): the loop goes on ---');
      expect(result.stdout).toContain('second run');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
