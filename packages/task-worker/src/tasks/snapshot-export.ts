import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TaskQueueError } from '../errors';
import { REPLICA_TABLES } from '../replica';
import { defineTask, throwIfAborted } from '../task';
import { parseWith, replicaError } from '../task-args';

const Args = z.object({
  /** file name inside the export directory; no path separators */
  file: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'a plain file name')
    .optional(),
  batchSize: z.number().int().min(1).max(50_000).default(5000),
});

export interface SnapshotExport {
  path: string;
  rows: number;
}

/**
 * Exports the ratings from the replica to a CSV file, in keyset-paginated batches; checks the
 * abort signal between batches, so a revoke or time limit stops it cleanly.
 */
export const snapshotExport = defineTask<z.infer<typeof Args>, SnapshotExport>({
  name: 'snapshot.export',
  queue: 'exports',
  description: 'export the ratings from the replica to a CSV file',
  attempts: 2,
  backoff: { type: 'fixed', delay: 5000 },
  parseArgs: (raw) => parseWith('snapshot.export', Args, raw),
  async run({ file, batchSize }, { deps, signal, taskId }) {
    try {
      await mkdir(deps.exportDir, { recursive: true });
    } catch (cause) {
      throw new TaskQueueError('EXPORT_FAILED', `cannot create ${deps.exportDir}`, {
        cause,
        retryable: false,
      });
    }
    const target = path.join(deps.exportDir, file ?? `ratings-${taskId}.csv`);
    const out = await open(target, 'w');
    let rows = 0;
    try {
      await out.write('user_id,movie_id,rating\n');
      let after: [string, string] | null = null;
      for (;;) {
        throwIfAborted(signal);
        let batch: { user_id: string; movie_id: string; rating: number }[];
        try {
          batch = (
            after === null
              ? await deps.replica().query(
                  `SELECT user_id::text AS user_id, movie_id, rating::int AS rating FROM ${REPLICA_TABLES.ratings}
                    ORDER BY user_id, movie_id LIMIT $1`,
                  [batchSize],
                )
              : await deps.replica().query(
                  `SELECT user_id::text AS user_id, movie_id, rating::int AS rating FROM ${REPLICA_TABLES.ratings}
                    WHERE (user_id, movie_id) > ($1::bigint, $2) ORDER BY user_id, movie_id LIMIT $3`,
                  [after[0], after[1], batchSize],
                )
          ).rows;
        } catch (err) {
          if (signal.aborted) throw signal.reason;
          throw replicaError('snapshot.export', err);
        }
        if (batch.length === 0) break;
        await out.write(batch.map((r) => `${r.user_id},${csv(r.movie_id)},${r.rating}\n`).join(''));
        rows += batch.length;
        const last = batch[batch.length - 1]!;
        after = [last.user_id, last.movie_id];
      }
    } finally {
      await out.close();
    }
    return { path: target, rows };
  },
});

function csv(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
