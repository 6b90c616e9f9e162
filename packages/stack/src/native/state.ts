import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Runtime } from '../components';
import type { ProcessRecord } from './processes';

/** A started component: its supervisor's process (group) record, or the component's own when unsupervised. */
export type SupervisedRecord = ProcessRecord & {
  log: string;
  /** The supervisor's status file (undefined: not supervised, the embedded mock Kafka). */
  statusFile?: string;
};

/** `.stack/state.json`: what `up` started, so `status`, `logs`, `urls` and `down` find it again. */
export interface NativeState {
  mode: 'native';
  startedAt: string;
  ports: Record<string, number>;
  /** Where PostgreSQL's data lives (the state dir, or as root /var/lib/reelwatch-stack/<hash>). */
  postgresRoot?: string;
  runtime: Runtime;
  /** Started components (pid = process group id), in start order. */
  processes: Record<string, SupervisedRecord>;
  /** Components with nothing to run (Kafka given by KAFKA_BROKERS) but still probed. */
  external: string[];
}

export function stateFile(stateDir: string): string {
  return path.join(stateDir, 'state.json');
}

export function logDir(stateDir: string): string {
  return path.join(stateDir, 'logs');
}

export function readState(stateDir: string): NativeState | undefined {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as NativeState;
}

/** Written after every change (rename: never half a file), so a crash mid-`up` leaves a state `down` can use. */
export function writeState(stateDir: string, state: NativeState): void {
  mkdirSync(stateDir, { recursive: true });
  const file = stateFile(stateDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeState(stateDir: string): void {
  rmSync(stateFile(stateDir), { force: true });
}
