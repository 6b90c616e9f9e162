/**
 * What postgres_exporter does with each of its own files in ../shared/fixtures/postgres_exporter/files/,
 * written down by reading upstream (prometheus-community/postgres_exporter), not computed:
 *
 * - queries files: exporter/queries.go parseUserQueries (yaml.v2 Unmarshal, unknown keys ignored) and
 *   exporter/postgres_exporter.go makeDescMap (COUNTER -> counter, GAUGE/MAPPEDMETRIC -> gauge,
 *   DURATION -> gauge `<col>_milliseconds`, HISTOGRAM -> histogram with `<col>_bucket/_sum/_count`
 *   discarded, LABEL columns are the labels), and exporter/namespace.go for what a scrape emits;
 *   all at commit dbb1987e2f0d. exporter/postgres_exporter_test.go TestParseUserQueries asserts
 *   user_queries_ok.yaml gives 2 metric maps; postgres_exporter_integration_test.go
 *   TestExtendQueriesDoesntCrash scrapes with user_queries_test.yaml.
 * - config files: config/config.go DecodeAuthConfig (yaml.v3 decoder with KnownFields(true)) and
 *   config/config_test.go TestLoadAuthConfigFile / TestLoadBadConfigs (the error texts below), at
 *   dbb1987e2f0d.
 *
 * `sha256` pins the fixture each row was written for (first 16 hex digits).
 */

export interface UpstreamFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: string[];
}

export interface UpstreamQueriesFile {
  kind: 'queries';
  file: string;
  sha256: string;
  source: string;
  loads: true;
  namespaces: string[];
  /** every family the file declares (makeDescMap) */
  families: UpstreamFamily[];
  /** the families a scrape of PostgreSQL 13+ emits, with --disable-default-metrics (namespace.go) */
  emitted: string[];
  /** why a declared family is not emitted */
  notEmitted: Record<string, string>;
}

export interface UpstreamConfigFile {
  kind: 'config';
  file: string;
  sha256: string;
  source: string;
  loads: boolean;
  /** loaded modules: name -> [type, username, options] */
  modules?: Record<string, { type: string; username: string; options: Record<string, string> }>;
  /** upstream's error text after `error parsing config file "<path>": yaml: unmarshal errors:\n  ` */
  error?: string;
}

const TABLES = ['datname', 'schemaname', 'relname'];

const STAT_USER_TABLES: Array<[string, 'counter' | 'gauge']> = [
  ['seq_scan', 'counter'],
  ['seq_tup_read', 'counter'],
  ['idx_scan', 'counter'],
  ['idx_tup_fetch', 'counter'],
  ['n_tup_ins', 'counter'],
  ['n_tup_upd', 'counter'],
  ['n_tup_del', 'counter'],
  ['n_tup_hot_upd', 'counter'],
  ['n_live_tup', 'gauge'],
  ['n_dead_tup', 'gauge'],
  ['n_mod_since_analyze', 'gauge'],
  ['last_vacuum', 'gauge'],
  ['last_autovacuum', 'gauge'],
  ['last_analyze', 'gauge'],
  ['last_autoanalyze', 'gauge'],
  ['vacuum_count', 'counter'],
  ['autovacuum_count', 'counter'],
  ['analyze_count', 'counter'],
  ['autoanalyze_count', 'counter'],
];

const STATIO_USER_TABLES = [
  'heap_blks_read',
  'heap_blks_hit',
  'idx_blks_read',
  'idx_blks_hit',
  'toast_blks_read',
  'toast_blks_hit',
  'tidx_blks_read',
  'tidx_blks_hit',
];

const QUERIES_2023_FAMILIES: UpstreamFamily[] = [
  { name: 'pg_replication_lag', type: 'gauge', labels: [] },
  { name: 'pg_postmaster_start_time_seconds', type: 'gauge', labels: [] },
  ...STAT_USER_TABLES.map(([c, type]) => ({ name: `pg_stat_user_tables_${c}`, type, labels: TABLES })),
  ...STATIO_USER_TABLES.map((c) => ({
    name: `pg_statio_user_tables_${c}`,
    type: 'counter' as const,
    labels: TABLES,
  })),
  { name: 'pg_process_idle_seconds', type: 'histogram', labels: ['application_name'] },
];

export const UPSTREAM_FILES: Array<UpstreamQueriesFile | UpstreamConfigFile> = [
  {
    kind: 'queries',
    file: 'user_queries_ok.yaml',
    sha256: '008d3d3788b8738d',
    source: 'exporter/tests/user_queries_ok.yaml @ dbb1987e2f0d',
    loads: true,
    namespaces: ['pg_locks_mode', 'pg_wal'],
    families: [
      { name: 'pg_locks_mode_count', type: 'gauge', labels: ['datname', 'tag_lockmode'] },
      { name: 'pg_wal_xlog_location_b', type: 'counter', labels: ['datname'] },
    ],
    emitted: ['pg_locks_mode_count'],
    notEmitted: {
      pg_wal_xlog_location_b:
        'its query calls pg_xlog_location_diff(), renamed pg_wal_lsn_diff() in PostgreSQL 10: the query fails',
    },
  },
  {
    kind: 'queries',
    file: 'user_queries_test.yaml',
    sha256: 'f63182c179a0702e',
    source: 'exporter/tests/user_queries_test.yaml @ dbb1987e2f0d',
    loads: true,
    namespaces: ['random'],
    // missing_sum and missing_count are declared HISTOGRAM and are also the _sum/_count parts of
    // `missing`; upstream keeps one of the two in a Go map by iteration order, and either way they
    // emit nothing of their own (their own _sum / _count columns are missing)
    families: ['histogram', 'missing', 'unexpected_sum', 'unexpected_count', 'unexpected_bytes'].map((c) => ({
      name: `random_${c}`,
      type: 'histogram' as const,
      labels: [],
    })),
    emitted: ['random_histogram'],
    notEmitted: {
      random_missing: 'no missing_bucket column (non-fatal error)',
      random_unexpected_sum: "unexpected_sum_sum is 'data', not a number",
      random_unexpected_count: "unexpected_count_count is 'nan'::varchar, not an unsigned integer",
      random_unexpected_bytes: "unexpected_bytes_count is 'nan'::bytea, not an unsigned integer",
    },
  },
  {
    kind: 'queries',
    file: 'queries-2023.yaml',
    sha256: '46b76f0b2ddd0f8e',
    source: 'queries.yaml @ e7f58a42 (the last version before fe960c6b moved its queries into collectors)',
    loads: true,
    namespaces: [
      'pg_replication',
      'pg_postmaster',
      'pg_stat_user_tables',
      'pg_statio_user_tables',
      'pg_process_idle',
    ],
    families: QUERIES_2023_FAMILIES,
    // with a user table that has a TOAST table and one idle client connection
    emitted: QUERIES_2023_FAMILIES.map((f) => f.name),
    notEmitted: {},
  },
  {
    kind: 'config',
    file: 'config-good.yaml',
    sha256: '3703a82eae5d8ea9',
    source: 'config/testdata/config-good.yaml @ dbb1987e2f0d (TestLoadAuthConfigFile)',
    loads: true,
    modules: { first: { type: 'userpass', username: 'first', options: { sslmode: 'disable' } } },
  },
  {
    kind: 'config',
    file: 'config-bad-auth-module.yaml',
    sha256: 'c7fbf5d34efdb608',
    source: 'config/testdata/config-bad-auth-module.yaml @ dbb1987e2f0d (TestLoadBadConfigs)',
    loads: false,
    error: 'line 3: field pretendauth not found in type config.AuthModule',
  },
  {
    kind: 'config',
    file: 'config-bad-extra-field.yaml',
    sha256: '7459e65750bfed9d',
    source: 'config/testdata/config-bad-extra-field.yaml @ dbb1987e2f0d (TestLoadBadConfigs)',
    loads: false,
    error: 'line 8: field doesNotExist not found in type config.AuthModule',
  },
];
