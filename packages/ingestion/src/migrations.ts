import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import type pino from 'pino';
import { IngestionError } from './errors';

/** packages/ingestion/migrations, from src/ (tests) and dist/ (built service) alike. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

/** `NNN_name.sql` files in order; the number is the version. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return {
        version: file.slice(0, 3),
        name: file.slice(4, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

// Any constant works; it only has to be the same for every ingestion process sharing a database.
const MIGRATION_LOCK_KEY = 7_337_001;

/**
 * Applies pending migrations, each in its own transaction, recorded in `schema_migrations`.
 * An advisory lock serialises processes starting at the same time; an applied migration whose
 * file changed stops the service (the schema would no longer match the code).
 */
export async function migrate(
  pool: Pool,
  logger: pino.Logger,
  dir: string = MIGRATIONS_DIR,
): Promise<string[]> {
  const migrations = loadMigrations(dir);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: string; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations',
    );
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    for (const m of migrations) {
      const checksum = done.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) {
          throw new IngestionError(
            'MIGRATION_CHANGED',
            `migration ${m.version}_${m.name} changed after it was applied`,
          );
        }
        continue;
      }
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new IngestionError('MIGRATION_FAILED', `migration ${m.version}_${m.name} failed`, {
          cause: err,
        });
      }
      applied.push(`${m.version}_${m.name}`);
      logger.info({ migration: `${m.version}_${m.name}` }, 'migration applied');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}
