import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors';
import { isRunning } from './processes';

export interface StackLock {
  release(): void;
}

/**
 * `.stack/lock`: one `up` or `down` at a time. Created with O_EXCL; a lock whose owner died (crash,
 * kill -9) is taken over instead of blocking forever.
 */
export function acquireLock(stateDir: string, purpose: string): StackLock {
  mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, 'lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }), {
        flag: 'wx',
      });
      return {
        release() {
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner: { pid?: number; purpose?: string } = {};
      try {
        owner = JSON.parse(readFileSync(file, 'utf8')) as typeof owner;
      } catch {
        // half-written or unreadable: treat as stale
      }
      if (
        typeof owner.pid === 'number' &&
        owner.pid !== process.pid &&
        isRunning({ pid: owner.pid, startTime: null })
      ) {
        throw new StackError(
          'LOCKED',
          `another \`stack ${owner.purpose ?? '?'}\` (pid ${owner.pid}) is working on ${stateDir}; wait for it, or stop it`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new StackError('LOCKED', `could not take ${file}`);
}
