import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { NativeSettings } from '../native/settings';
import type { StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, pgUrl, port, serviceEntry, url } from './support';

/** What Compose's training-snapshot service runs, natively: the job in a supervised shell loop. */
export const SNAPSHOT_PACKAGE = 'training-snapshot';

/** The loop Compose runs (`sleep 30; while true; do node main.js; sleep $INTERVAL; done`), with our numbers. */
export function snapshotLoopScript(
  node: string,
  entry: string,
  delaySec: number,
  intervalSec: number,
): string {
  const q = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  return (
    `sleep ${delaySec}; while true; do ` +
    `echo "--- training-snapshot run at $(date -u +%Y-%m-%dT%H:%M:%SZ) ---"; ` +
    `${q(node)} ${q(entry)} || echo "--- training-snapshot run failed (exit $?): the loop goes on ---"; ` +
    `sleep ${intervalSec}; done`
  );
}

export function snapshotDir(s: NativeSettings): string {
  return path.join(componentDir(s, 'training-snapshot'), 'snapshots');
}

/** The newest snapshot, and whether the last run failed (its log's last run marker). */
export function snapshotDetail(s: NativeSettings): string {
  let last = 'none yet';
  try {
    last = path.basename(realpathSync(path.join(snapshotDir(s), 'latest')));
  } catch {
    // no snapshot written yet
  }
  let failed = false;
  try {
    const log = readFileSync(path.join(s.stateDir, 'logs', 'training-snapshot.log'), 'utf8');
    const markers = log.match(/^--- training-snapshot run (at|failed).*$/gm) ?? [];
    failed = markers.at(-1)?.startsWith('--- training-snapshot run failed') ?? false;
  } catch {
    // no log yet
  }
  return (
    `last snapshot: ${last}, every ${s.snapshotIntervalSec} s` +
    (failed ? '; the last run failed (pnpm stack logs training-snapshot)' : '')
  );
}

export const trainingSnapshot: StackComponent = {
  name: 'training-snapshot',
  description:
    'training-snapshot: the replica to CSV under the state dir, pushed to Pushgateway, every TRAINING_SNAPSHOT_INTERVAL_SECONDS (a supervised loop, as in Compose)',
  compose: {
    environment: [
      'HEALTHCHECK_HEARTBEAT_FILE',
      'TRAINING_SNAPSHOT_INTERVAL_SECONDS',
      'TRAINING_SNAPSHOT_DATABASE_URL',
      'TRAINING_SNAPSHOT_OUTPUT_DIR',
      'TRAINING_SNAPSHOT_PUSHGATEWAY_URL',
    ],
    healthcheck: true,
  },
  docs: { label: 'training-snapshot' },
  packageDir: SNAPSHOT_PACKAGE,
  binaries: [],
  unavailable: (s) =>
    existsSync(path.join(s.root, 'packages', SNAPSHOT_PACKAGE, 'package.json'))
      ? undefined
      : `packages/${SNAPSHOT_PACKAGE} is not in this checkout`,
  launch: (s, rt) => ({
    command: '/bin/sh',
    args: [
      '-c',
      snapshotLoopScript(
        process.execPath,
        serviceEntry(s.root, SNAPSHOT_PACKAGE),
        s.snapshotDelaySec,
        s.snapshotIntervalSec,
      ),
    ],
    env: {
      ...baseEnv(s, componentDir(s, 'training-snapshot')),
      TRAINING_SNAPSHOT_DATABASE_URL: pgUrl(port(s, 'postgres-replica')),
      TRAINING_SNAPSHOT_OUTPUT_DIR: snapshotDir(s),
      TRAINING_SNAPSHOT_PUSHGATEWAY_URL:
        rt.skipped.pushgateway === undefined ? url(port(s, 'pushgateway')) : '',
    },
    cwd: ensureDir(componentDir(s, 'training-snapshot')),
  }),
  // no server: alive is all there is to probe; each run's result is what it pushes (and its log)
  async health() {},
  detail: (s) => snapshotDetail(s),
  urls: (s) => [
    {
      name: 'training-snapshot',
      url: snapshotDir(s),
      note: `CSV snapshots every ${s.snapshotIntervalSec} s; run metrics in Pushgateway (job training_snapshot)`,
    },
  ],
};
