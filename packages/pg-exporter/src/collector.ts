import type { Sample } from './exposition';

export type Row = Record<string, unknown>;

/** What a collector sees of one server during one scrape. */
export interface CollectorContext {
  /** server_version_num, e.g. 150004 or 170002 */
  version: number;
  isReplica: boolean;
  /** the database this call runs in: the DSN's for server-wide collectors, each discovered one otherwise */
  database: string;
  /** include/exclude lists already applied */
  databases: string[];
  excludeDatabases: string[];
  query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]>;
  options: CollectorOptions;
}

export interface CollectorOptions {
  statStatements: { includeQuery: boolean; queryLength: number; limit: number };
}

/**
 * One collector, named like postgres_exporter's (`stat_user_tables` -> `pg_stat_user_tables_*`,
 * toggle `PG_EXPORTER_COLLECTOR_STAT_USER_TABLES`, flag `--[no-]collector.stat_user_tables`).
 */
export interface Collector {
  name: string;
  defaultEnabled: boolean;
  /** 'server': once per server; 'database': once per discovered database */
  scope: 'server' | 'database';
  /** lowest server_version_num it runs on; below it the collector emits nothing and succeeds */
  minVersion?: number;
  /** one line for the README */
  description: string;
  collect(ctx: CollectorContext): Promise<Sample[]>;
}

/** PostgreSQL major version from server_version_num (150004 -> 15). */
export function majorVersion(versionNum: number): number {
  return Math.floor(versionNum / 10000);
}
