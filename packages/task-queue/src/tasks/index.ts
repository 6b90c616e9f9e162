import type { AnyTaskDefinition } from '../task';
import { noop } from './noop';
import { ratingsRefresh } from './ratings_refresh';
import { recommendationsRecompute } from './recommendations_recompute';
import { snapshotExport } from './snapshot_export';

/** Every task a worker can run; one file per task, file name = task name with `_` for `.`. */
export const TASKS: readonly AnyTaskDefinition[] = [
  noop,
  recommendationsRecompute,
  ratingsRefresh,
  snapshotExport,
];

/** Queues the declared tasks are sent to by default. */
export const DEFAULT_QUEUES: readonly string[] = [...new Set(TASKS.map((t) => t.queue))];
