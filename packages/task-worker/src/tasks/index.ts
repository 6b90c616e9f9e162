import type { AnyTaskDefinition } from '../task';
import { demoUnreliable } from './demo-unreliable';
import { noop } from './noop';
import { ratingsRefresh } from './ratings-refresh';
import { recommendationsRecompute } from './recommendations-recompute';
import { snapshotExport } from './snapshot-export';

/** Every task a worker can run; one file per task, file name = task name with `-` for `.`. */
export const TASKS: readonly AnyTaskDefinition[] = [
  noop,
  recommendationsRecompute,
  ratingsRefresh,
  snapshotExport,
  demoUnreliable,
];

/** Queues the declared tasks are sent to by default. */
export const DEFAULT_QUEUES: readonly string[] = [...new Set(TASKS.map((t) => t.queue))];
