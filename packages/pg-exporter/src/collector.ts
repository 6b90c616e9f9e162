import type { MetricType, Sample } from './exposition';

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
  /** one line for the README (packages/pg-exporter/README.md) */
  description: string;
  collect(ctx: CollectorContext): Promise<Sample[]>;
}

/** PostgreSQL major version from server_version_num (150004 -> 15). */
export function majorVersion(versionNum: number): number {
  return Math.floor(versionNum / 10000);
}

/** One column of a per-table view, as the metric it becomes. */
export interface TableMetric {
  name: string;
  help: string;
  type: MetricType;
}

/**
 * Samples of a per-table query whose rows carry datname, schemaname and relname, and the metrics'
 * values as c0..cN in `metrics` order. A row's samples share one label object, so the exposition
 * writer builds its label text once per table; NULL means no sample.
 */
export function perTableSamples(rows: Row[], metrics: readonly TableMetric[]): Sample[] {
  const out: Sample[] = [];
  for (const row of rows) {
    const labels = {
      datname: String(row.datname),
      schemaname: String(row.schemaname),
      relname: String(row.relname),
    };
    for (let i = 0; i < metrics.length; i++) {
      const value = row[`c${i}`];
      if (value === null || value === undefined) continue;
      const metric = metrics[i] as TableMetric;
      out.push({ name: metric.name, help: metric.help, type: metric.type, labels, value: Number(value) });
    }
  }
  return out;
}
