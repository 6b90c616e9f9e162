import { maskDsn } from '@reelwatch/service-kit';
import type { Logger } from 'pino';
import type { TrainingSnapshotConfig } from './config';
import { pushRun, readPushedFailures, runRegistry } from './run-metrics';
import { type SnapshotResult, writeSnapshot } from './snapshot-writer';

export interface RunResult {
  ok: boolean;
  snapshot?: SnapshotResult;
  error?: unknown;
  pushed: boolean;
}

/**
 * One run of the job: export, then push the run's metrics (failures included). `ok` is false when
 * the export or the push failed; every failure is logged once here.
 */
export async function runTrainingSnapshot(
  config: TrainingSnapshotConfig,
  logger: Logger,
): Promise<RunResult> {
  const pushUrl = config.TRAINING_SNAPSHOT_PUSHGATEWAY_URL.trim();
  let previousFailures = 0;
  if (pushUrl !== '') {
    try {
      previousFailures = await readPushedFailures(pushUrl);
    } catch (err) {
      logger.warn(
        { err, pushgateway: pushUrl },
        'cannot read the failure count from Pushgateway; counting from 0',
      );
    }
  }

  const started = process.hrtime.bigint();
  let snapshot: SnapshotResult | undefined;
  let error: unknown;
  try {
    logger.info({ database: maskDsn(config.TRAINING_SNAPSHOT_DATABASE_URL) }, 'training snapshot started');
    snapshot = await writeSnapshot({
      databaseUrl: config.TRAINING_SNAPSHOT_DATABASE_URL,
      tables: config.TRAINING_SNAPSHOT_TABLES,
      outputDir: config.TRAINING_SNAPSHOT_OUTPUT_DIR,
      keep: config.TRAINING_SNAPSHOT_KEEP,
      statementTimeoutMs: config.TRAINING_SNAPSHOT_STATEMENT_TIMEOUT_MS,
      logger,
    });
  } catch (err) {
    error = err;
  }
  const durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (snapshot) {
    const rows = snapshot.tables.reduce((n, t) => n + t.rows, 0);
    logger.info(
      { directory: snapshot.directory, tables: snapshot.tables.length, rows, durationSeconds },
      'training snapshot written',
    );
  } else {
    logger.error({ err: error, durationSeconds }, 'training snapshot failed');
  }

  let pushed = false;
  if (pushUrl !== '') {
    const registry = runRegistry({
      durationSeconds,
      failuresTotal: previousFailures + (snapshot ? 0 : 1),
      ...(snapshot
        ? {
            rowsByTable: Object.fromEntries(snapshot.tables.map((t) => [t.table, t.rows])),
            succeededAt: new Date(),
          }
        : {}),
    });
    try {
      await pushRun(pushUrl, registry);
      pushed = true;
    } catch (err) {
      logger.error({ err }, 'pushing the run metrics failed');
    }
  }
  return {
    ok: snapshot !== undefined && (pushed || pushUrl === ''),
    pushed,
    ...(snapshot ? { snapshot } : { error }),
  };
}
