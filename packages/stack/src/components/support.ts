import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors';
import { findBinary } from '../native/binaries';
import type { NativeSettings } from '../native/settings';

/** Shared by the native side of the components: every native server listens here only. */
export const HOST = '127.0.0.1';
export const APP_DATABASE = 'reelwatch';
/** The physical replication slot the replica streams from (Compose's primary init creates the same). */
export const REPLICA_SLOT = 'replica';
export const TOPIC = 'movie-events';

/** A component's native port (it must declare one). */
export function port(s: NativeSettings, name: string): number {
  const value = s.ports[name];
  if (value === undefined) throw new StackError('USAGE', `${name} has no port`);
  return value;
}

export function componentDir(s: NativeSettings, name: string): string {
  return path.join(s.stateDir, name);
}

export function ensureDir(dir: string, owner?: { uid: number; gid: number }): string {
  mkdirSync(dir, { recursive: true });
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

export function baseEnv(s: NativeSettings, home: string): Record<string, string> {
  return { PATH: s.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TZ: 'UTC' };
}

export function url(p: number, suffix = ''): string {
  return `http://${HOST}:${p}${suffix}`;
}

export function pgUrl(p: number, database = APP_DATABASE): string {
  return `postgres://postgres@${HOST}:${p}/${database}`;
}

export function serviceEntry(root: string, packageDir: string): string {
  return path.join(root, 'packages', packageDir, 'dist', 'main.js');
}

export function requireBinary(s: NativeSettings, binary: string): string {
  const file = findBinary(binary, s.env);
  if (!file) throw new StackError('MISSING_BINARIES', `${binary} not found`);
  return file;
}

export function runOnce(s: NativeSettings, command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...baseEnv(s, cwd), LC_ALL: 'C' },
    encoding: 'utf8',
    timeout: 300_000,
    ...(s.postgresUser ?? {}),
  });
  if (result.status !== 0) {
    throw new StackError(
      'START_FAILED',
      `${path.basename(command)} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`,
    );
  }
}

/**
 * An exporter's per-scrape deadline inside Prometheus' scrape timeout (which is the scrape interval
 * when that is under 10 s): a hung server then reads as down (pg_up 0, kafka_up 0) instead of the
 * whole scrape timing out. At most the exporters' own 9 s default.
 */
export function collectionTimeout(s: NativeSettings): string {
  return `${Math.min(9_000, Math.floor(s.scrapeIntervalSec * 600))}ms`;
}
