import { envBoolean, envInt, envLogLevel, z } from '@reelwatch/service-kit';
import type { CollectorOptions } from './collector';
import { COLLECTORS } from './collectors';
import { type DataSource, resolveDataSources } from './dsn';
import { ExporterError } from './errors';
import { parseGoDurationMs } from './user-queries';

export function collectorEnvName(name: string): string {
  return `PG_EXPORTER_COLLECTOR_${name.toUpperCase()}`;
}

const bool = (fallback: boolean, description: string) => envBoolean().default(fallback).describe(description);

const duration = (fallback: string, description: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => parseGoDurationMs(v) !== undefined && (parseGoDurationMs(v) as number) > 0, {
      message: 'must be a duration such as 500ms, 10s or 1m',
    })
    .describe(description);

const collectorToggles = Object.fromEntries(
  COLLECTORS.map((c) => [
    collectorEnvName(c.name),
    bool(c.defaultEnabled, `Enable the ${c.name} collector: ${c.description}.`),
  ]),
) as Record<string, ReturnType<typeof bool>>;

/** Every setting; keys are the environment variable names (flags map onto them, see FLAGS). */
export const configSchema = z.object({
  DATA_SOURCE_NAME: z
    .string()
    .optional()
    .describe(
      'Servers to watch: a postgresql:// URI or key=value DSN; a comma-separated list means several servers (e.g. primary and replica).',
    ),
  DATA_SOURCE_URI: z
    .string()
    .optional()
    .describe(
      'Used when DATA_SOURCE_NAME is empty: comma-separated host:port/db?options, combined with DATA_SOURCE_USER/PASS.',
    ),
  DATA_SOURCE_USER: z.string().optional().describe('User for DATA_SOURCE_URI.'),
  DATA_SOURCE_PASS: z.string().optional().describe('Password for DATA_SOURCE_URI.'),
  PG_EXPORTER_WEB_LISTEN_ADDRESS: z
    .string()
    .default(':9188')
    .describe('Address to listen on, [host]:port (flag --web.listen-address).'),
  PG_EXPORTER_WEB_TELEMETRY_PATH: z
    .string()
    .startsWith('/')
    .default('/metrics')
    .describe('Path under which to expose metrics (flag --web.telemetry-path).'),
  PG_EXPORTER_WEB_CONFIG_FILE: z
    .string()
    .optional()
    .describe(
      'exporter-toolkit web config file: tls_server_config (cert_file, key_file) and basic_auth_users (bcrypt hashes) for /metrics and /probe (flag --web.config.file).',
    ),
  PG_EXPORTER_CONFIG_FILE: z
    .string()
    .default('postgres_exporter.yml')
    .describe(
      'postgres_exporter config file with auth_modules for /probe; a missing file only disables auth modules (flag --config.file).',
    ),
  PG_EXPORTER_EXTEND_QUERY_PATH: z
    .string()
    .optional()
    .describe("Path of upstream's queries.yaml with custom queries (flag --extend.query-path)."),
  PG_EXPORTER_CONSTANT_LABELS: z
    .string()
    .optional()
    .describe('Labels added to every series: label=value,label2=value2 (flag --constantLabels).'),
  PG_EXPORTER_INCLUDE_DATABASES: z
    .string()
    .optional()
    .describe(
      'Comma-separated databases the per-database collectors read; empty means all (flag --include-databases).',
    ),
  PG_EXPORTER_EXCLUDE_DATABASES: z
    .string()
    .optional()
    .describe('Comma-separated databases to skip (flag --exclude-databases).'),
  PG_EXPORTER_AUTO_DISCOVER_DATABASES: bool(
    false,
    'Run non-master custom queries in every discovered database, not only the DSN database (flag --auto-discover-databases). Built-in per-table collectors always cover every database.',
  ),
  PG_EXPORTER_DISABLE_DEFAULT_METRICS: bool(
    false,
    'Run no built-in collector, only custom queries (flag --disable-default-metrics).',
  ),
  PG_EXPORTER_DISABLE_SETTINGS_METRICS: bool(
    false,
    'Turn off the settings collector, as 0.11.1 did (flag --disable-settings-metrics).',
  ),
  PG_EXPORTER_COLLECTION_TIMEOUT: duration(
    '9s',
    'Deadline of one scrape; what is not collected by then is reported failed (flag --collection-timeout).',
  ),
  PG_EXPORTER_STATEMENT_TIMEOUT: duration(
    '5s',
    'statement_timeout and lock_timeout of every query the exporter runs (flag --statement-timeout).',
  ),
  PG_EXPORTER_CONNECT_TIMEOUT: duration('3s', 'Timeout to open a connection (flag --connect-timeout).'),
  PG_EXPORTER_MAX_CONNECTIONS: envInt({ min: 1, max: 20 })
    .default(2)
    .describe(
      'Most queries (and so busy connections) on one server at once, across its databases (flag --max-connections).',
    ),
  PG_EXPORTER_MAX_IDLE_CONNECTIONS: envInt({ min: 0, max: 50 })
    .default(6)
    .describe(
      'Most idle connections kept warm per server between scrapes, at most one needed per database: a fresh connection makes the per-table queries 3-5x slower (flag --max-idle-connections).',
    ),
  PG_EXPORTER_STAT_STATEMENTS_INCLUDE_QUERY: bool(
    false,
    'stat_statements: also export the statement text in pg_stat_statements_query_id (flag --collector.stat_statements.include_query).',
  ),
  PG_EXPORTER_STAT_STATEMENTS_QUERY_LENGTH: envInt({ min: 1 })
    .default(120)
    .describe(
      'stat_statements: longest statement text exported (flag --collector.stat_statements.query_length).',
    ),
  PG_EXPORTER_STAT_STATEMENTS_LIMIT: envInt({ min: 1 })
    .default(100)
    .describe('stat_statements: most statements exported (flag --collector.stat_statements.limit).'),
  PG_EXPORTER_LOG_LEVEL: envLogLevel().default('info').describe('Log level (flag --log.level).'),
  ...collectorToggles,
});

export type RawConfig = z.infer<typeof configSchema>;

/** Flags (upstream's names) and the variables they set. */
export const FLAGS: Record<string, string> = {
  'web.listen-address': 'PG_EXPORTER_WEB_LISTEN_ADDRESS',
  'web.telemetry-path': 'PG_EXPORTER_WEB_TELEMETRY_PATH',
  'web.config.file': 'PG_EXPORTER_WEB_CONFIG_FILE',
  'config.file': 'PG_EXPORTER_CONFIG_FILE',
  'extend.query-path': 'PG_EXPORTER_EXTEND_QUERY_PATH',
  constantLabels: 'PG_EXPORTER_CONSTANT_LABELS',
  'include-databases': 'PG_EXPORTER_INCLUDE_DATABASES',
  'exclude-databases': 'PG_EXPORTER_EXCLUDE_DATABASES',
  'auto-discover-databases': 'PG_EXPORTER_AUTO_DISCOVER_DATABASES',
  'disable-default-metrics': 'PG_EXPORTER_DISABLE_DEFAULT_METRICS',
  'disable-settings-metrics': 'PG_EXPORTER_DISABLE_SETTINGS_METRICS',
  'collection-timeout': 'PG_EXPORTER_COLLECTION_TIMEOUT',
  'statement-timeout': 'PG_EXPORTER_STATEMENT_TIMEOUT',
  'connect-timeout': 'PG_EXPORTER_CONNECT_TIMEOUT',
  'max-connections': 'PG_EXPORTER_MAX_CONNECTIONS',
  'max-idle-connections': 'PG_EXPORTER_MAX_IDLE_CONNECTIONS',
  'collector.stat_statements.include_query': 'PG_EXPORTER_STAT_STATEMENTS_INCLUDE_QUERY',
  'collector.stat_statements.query_length': 'PG_EXPORTER_STAT_STATEMENTS_QUERY_LENGTH',
  'collector.stat_statements.limit': 'PG_EXPORTER_STAT_STATEMENTS_LIMIT',
  'log.level': 'PG_EXPORTER_LOG_LEVEL',
  ...Object.fromEntries(COLLECTORS.map((c) => [`collector.${c.name}`, collectorEnvName(c.name)])),
};

/** Variables whose flags are booleans: `--name`, `--no-name`, `--name=false`. */
const BOOLEAN_VARS = new Set([
  'PG_EXPORTER_AUTO_DISCOVER_DATABASES',
  'PG_EXPORTER_DISABLE_DEFAULT_METRICS',
  'PG_EXPORTER_DISABLE_SETTINGS_METRICS',
  'PG_EXPORTER_STAT_STATEMENTS_INCLUDE_QUERY',
  ...COLLECTORS.map((c) => collectorEnvName(c.name)),
]);

/**
 * Turns upstream-style flags into variable overrides: `--name=value`, `--name value`, and for
 * booleans `--name` / `--no-name`. Flags win over the environment, as kingpin's do.
 */
export function parseFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--(no-)?([^=]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    const [, negated, name, inline] = m as unknown as [
      string,
      string | undefined,
      string,
      string | undefined,
    ];
    const key = FLAGS[name];
    if (!key) {
      problems.push(`unknown flag --${negated ?? ''}${name}`);
      continue;
    }
    if (BOOLEAN_VARS.has(key)) {
      out[key] = negated ? 'false' : (inline ?? 'true');
    } else if (negated) {
      problems.push(`--no-${name} is not a boolean flag`);
    } else if (inline !== undefined) {
      out[key] = inline;
    } else if (i + 1 < argv.length) {
      out[key] = argv[++i] as string;
    } else {
      problems.push(`--${name} needs a value`);
    }
  }
  if (problems.length > 0) throw new ExporterError('DSN_INVALID', problems.join('; '));
  return out;
}

/** The validated settings the exporter runs with. */
export interface ExporterConfig {
  sources: DataSource[];
  listenHost: string | undefined;
  listenPort: number;
  telemetryPath: string;
  webConfigFile: string;
  authConfigFile: string;
  userQueriesPath: string;
  constantLabels: Record<string, string>;
  includeDatabases: string[];
  excludeDatabases: string[];
  autoDiscoverDatabases: boolean;
  collectors: string[];
  collectionTimeoutMs: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  maxConnections: number;
  maxIdleConnections: number;
  collectorOptions: CollectorOptions;
  logLevel: string;
}

export function parseConstantLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const kv = part.trim().split('=');
    if (kv.length !== 2) continue;
    const key = (kv[0] as string).trim();
    const value = (kv[1] as string).trim();
    if (key !== '' && value !== '') out[key] = value;
  }
  return out;
}

export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!m) throw new ExporterError('DSN_INVALID', `listen address "${address}" is not [host]:port`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port: Number(m[3]) };
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export function toExporterConfig(raw: RawConfig): ExporterConfig {
  const sources = resolveDataSources(raw);
  const { host, port } = parseListenAddress(raw.PG_EXPORTER_WEB_LISTEN_ADDRESS);
  const flags = raw as unknown as Record<string, unknown>;
  const collectors = raw.PG_EXPORTER_DISABLE_DEFAULT_METRICS
    ? []
    : COLLECTORS.filter((c) => flags[collectorEnvName(c.name)] === true)
        .filter((c) => !(c.name === 'settings' && raw.PG_EXPORTER_DISABLE_SETTINGS_METRICS))
        .map((c) => c.name);
  return {
    sources,
    listenHost: host,
    listenPort: port,
    telemetryPath: raw.PG_EXPORTER_WEB_TELEMETRY_PATH,
    webConfigFile: raw.PG_EXPORTER_WEB_CONFIG_FILE ?? '',
    authConfigFile: raw.PG_EXPORTER_CONFIG_FILE,
    userQueriesPath: raw.PG_EXPORTER_EXTEND_QUERY_PATH ?? '',
    constantLabels: parseConstantLabels(raw.PG_EXPORTER_CONSTANT_LABELS ?? ''),
    includeDatabases: list(raw.PG_EXPORTER_INCLUDE_DATABASES ?? ''),
    excludeDatabases: list(raw.PG_EXPORTER_EXCLUDE_DATABASES ?? ''),
    autoDiscoverDatabases: raw.PG_EXPORTER_AUTO_DISCOVER_DATABASES,
    collectors,
    collectionTimeoutMs: parseGoDurationMs(raw.PG_EXPORTER_COLLECTION_TIMEOUT) as number,
    statementTimeoutMs: parseGoDurationMs(raw.PG_EXPORTER_STATEMENT_TIMEOUT) as number,
    connectTimeoutMs: parseGoDurationMs(raw.PG_EXPORTER_CONNECT_TIMEOUT) as number,
    maxConnections: raw.PG_EXPORTER_MAX_CONNECTIONS,
    maxIdleConnections: raw.PG_EXPORTER_MAX_IDLE_CONNECTIONS,
    collectorOptions: {
      statStatements: {
        includeQuery: raw.PG_EXPORTER_STAT_STATEMENTS_INCLUDE_QUERY,
        queryLength: raw.PG_EXPORTER_STAT_STATEMENTS_QUERY_LENGTH,
        limit: raw.PG_EXPORTER_STAT_STATEMENTS_LIMIT,
      },
    },
    logLevel: raw.PG_EXPORTER_LOG_LEVEL,
  };
}
