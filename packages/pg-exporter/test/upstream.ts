/**
 * Families Debian's postgres_exporter 0.11.1 emits that this exporter does not, each with its
 * reason. packages/pg-exporter/README.md's "Differences from upstream" table lists the same names (a test checks).
 */
export const KNOWN_DIFFERENCES: Record<string, string> = {
  pg_stat_database_active_time:
    'untyped milliseconds in 0.11.1; exported as pg_stat_database_active_time_seconds_total (current upstream name, seconds)',
  pg_stat_database_session_time:
    'untyped milliseconds in 0.11.1; exported as pg_stat_database_session_time_seconds_total',
  pg_stat_database_idle_in_transaction_time:
    'untyped milliseconds in 0.11.1; exported as pg_stat_database_idle_in_transaction_time_seconds_total',
  postgres_exporter_build_info:
    'the Go binary’s build info; this exporter is not postgres_exporter (process and nodejs_* metrics instead)',
  process_virtual_memory_max_bytes: 'Go client_golang process collector only; prom-client has no equivalent',
  // NULL in PostgreSQL: upstream writes NaN, we write no sample until there is a value
  pg_stat_archiver_last_archive_age: 'NULL until a WAL segment has been archived',
  pg_stat_database_checksum_failures: 'NULL while data checksums are off (the initdb default)',
  pg_stat_database_checksum_last_failure: 'NULL until a checksum failure happens',
  pg_stat_database_stats_reset: 'NULL until the statistics are reset once',
};

/** Prefixes of the Go runtime and Go HTTP handler metrics, which a Node.js process cannot have. */
export const GO_RUNTIME_PREFIXES = ['go_', 'promhttp_'];

/**
 * Names fixed by compatibility with postgres_exporter (0.11.1 or current) that are not in
 * metrics-head.csv; they are exempt from our naming lint like the CSV's names.
 */
export const COMPATIBLE_NAMES = [
  'pg_long_running_transactions',
  'pg_stat_database_checksum_failures',
  'pg_stat_database_checksum_last_failure',
  'pg_stat_database_sessions',
  'pg_stat_database_sessions_abandoned',
  'pg_stat_database_sessions_fatal',
  'pg_stat_database_sessions_killed',
  'pg_stat_replication_reply_time',
  'pg_process_idle_seconds',
];
