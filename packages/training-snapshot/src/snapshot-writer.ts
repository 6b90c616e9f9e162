import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Logger } from 'pino';
import { SnapshotError } from './errors';

export interface TableExport {
  table: string;
  file: string;
  rows: number;
}

export interface SnapshotResult {
  directory: string;
  tables: TableExport[];
  skipped: string[];
}

export interface SnapshotOptions {
  databaseUrl: string;
  tables: string[];
  outputDir: string;
  keep: number;
  statementTimeoutMs: number;
  logger: Logger;
  now?: Date;
}

const SNAPSHOT_DIR = /^snapshot-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(-\d{3})?Z$/;

export function snapshotName(now: Date): string {
  return `snapshot-${now.toISOString().replace(/:/g, '-').replace('.', '-')}`;
}

/** A table name as a file name: `public.users` -> `public.users.csv`; anything odd replaced. */
function csvFileName(table: string): string {
  return `${table.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv`;
}

/**
 * Exports the tables that exist, each as `<table>.csv` with a header row, from ONE repeatable-read,
 * read-only transaction (every file sees the same moment, also on a hot standby). Files are
 * written into a hidden directory renamed into place when all are complete, then `latest` points
 * at it and snapshots beyond `keep` are removed. Throws SnapshotError; a partial run leaves no
 * visible snapshot.
 */
export async function writeSnapshot(options: SnapshotOptions): Promise<SnapshotResult> {
  const name = snapshotName(options.now ?? new Date());
  const finalDir = path.join(options.outputDir, name);
  const partialDir = path.join(options.outputDir, `.partial-${name}`);
  const client = new pg.Client({
    connectionString: options.databaseUrl,
    statement_timeout: options.statementTimeoutMs,
    application_name: 'reelwatch-training-snapshot',
  });
  try {
    await client.connect();
  } catch (cause) {
    throw new SnapshotError('DB_UNAVAILABLE', 'connect to the database', { cause, retryable: true });
  }
  client.on('error', (err) => options.logger.warn({ err }, 'database connection error'));

  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const present: { table: string; identifier: string }[] = [];
    const skipped: string[] = [];
    for (const table of options.tables) {
      // to_regclass resolves schema-qualified names and the search path, NULL when absent.
      const found = await client.query<{ identifier: string | null }>(
        'SELECT to_regclass($1)::text AS identifier',
        [table],
      );
      const identifier = found.rows[0]?.identifier ?? null;
      if (identifier === null) skipped.push(table);
      else present.push({ table, identifier });
    }
    if (skipped.length > 0) options.logger.warn({ skipped }, 'tables not found, skipped');
    if (present.length === 0) {
      throw new SnapshotError('NO_TABLES', `none of the tables exist: ${options.tables.join(', ')}`);
    }

    await mkdir(partialDir, { recursive: true });
    const tables: TableExport[] = [];
    for (const { table, identifier } of present) {
      const file = csvFileName(table);
      // identifier comes from to_regclass()::text, which quotes it where needed.
      const copy = client.query(
        copyTo(`COPY (SELECT * FROM ${identifier}) TO STDOUT WITH (FORMAT csv, HEADER true)`),
      );
      try {
        await pipeline(copy, createWriteStream(path.join(partialDir, file)));
      } catch (cause) {
        throw new SnapshotError('EXPORT_FAILED', `export ${table}`, { cause, retryable: true });
      }
      tables.push({ table, file, rows: copy.rowCount ?? 0 });
      options.logger.info({ table, rows: copy.rowCount }, 'table exported');
    }
    await client.query('COMMIT');

    try {
      await rename(partialDir, finalDir);
      await pointLatestAt(options.outputDir, name);
      await pruneSnapshots(options.outputDir, options.keep);
    } catch (cause) {
      throw new SnapshotError('WRITE_FAILED', `publish snapshot ${finalDir}`, { cause });
    }
    return { directory: finalDir, tables, skipped };
  } catch (err) {
    await rm(partialDir, { recursive: true, force: true }).catch(() => undefined);
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError('EXPORT_FAILED', 'export the snapshot', { cause: err, retryable: true });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `latest` -> the new snapshot, replaced atomically (a new link renamed over the old one). */
async function pointLatestAt(outputDir: string, name: string): Promise<void> {
  const link = path.join(outputDir, 'latest');
  const tmp = path.join(outputDir, `.latest-${process.pid}`);
  await rm(tmp, { force: true });
  await symlink(name, tmp);
  await rename(tmp, link);
  await readlink(link);
}

async function pruneSnapshots(outputDir: string, keep: number): Promise<void> {
  const snapshots = (await readdir(outputDir)).filter((f) => SNAPSHOT_DIR.test(f)).sort();
  for (const old of snapshots.slice(0, Math.max(0, snapshots.length - keep))) {
    await rm(path.join(outputDir, old), { recursive: true, force: true });
  }
}
