import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StackError } from '../../src/errors';
import { acquireLock } from '../../src/native/lock';

describe('the state dir lock', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'stack-lock-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('lets one holder in and leaves nothing behind on release', () => {
    const lock = acquireLock(stateDir, 'up');
    expect(JSON.parse(readFileSync(path.join(stateDir, 'lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      purpose: 'up',
    });
    lock.release();
    expect(existsSync(path.join(stateDir, 'lock'))).toBe(false);
  });

  it('refuses a second `up` while a live process holds the lock, naming it', () => {
    // a live process other than this one: the jest worker's parent
    writeFileSync(path.join(stateDir, 'lock'), JSON.stringify({ pid: process.ppid, purpose: 'up' }));
    let caught: unknown;
    try {
      acquireLock(stateDir, 'up');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StackError);
    expect((caught as StackError).code).toBe('LOCKED');
    expect((caught as Error).message).toContain(
      `another \`stack up\` (pid ${process.ppid}) is working on ${stateDir}`,
    );
  });

  it('takes over a lock whose holder died', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(path.join(stateDir, 'lock'), JSON.stringify({ pid: Number(dead.stdout), purpose: 'up' }));
    const lock = acquireLock(stateDir, 'down');
    expect(JSON.parse(readFileSync(path.join(stateDir, 'lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      purpose: 'down',
    });
    lock.release();
  });
});
