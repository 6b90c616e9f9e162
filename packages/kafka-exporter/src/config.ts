import { readFileSync } from 'node:fs';
import { envBoolean, envDurationMs, envInt, envList, envLogLevel, z } from '@reelwatch/service-kit';
import { COLLECTORS } from './collectors';
import { KafkaExporterError } from './errors';

export function collectorEnvName(name: string): string {
  return `KAFKA_EXPORTER_COLLECTOR_${name.toUpperCase().replace(/-/g, '_')}`;
}

const bool = (fallback: boolean, description: string) => envBoolean().default(fallback).describe(description);

const regex = (fallback: string, description: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (v) => {
        try {
          new RegExp(v);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be a regular expression' },
    )
    .describe(description);

const collectorToggles = Object.fromEntries(
  COLLECTORS.map((c) => [
    collectorEnvName(c.name),
    bool(c.defaultEnabled, `Enable the ${c.name} collector: ${c.description}.`),
  ]),
) as Record<string, ReturnType<typeof bool>>;

/** Every setting; keys are the environment variable names (upstream's flags map onto them, see FLAGS). */
export const configSchema = z.object({
  KAFKA_EXPORTER_KAFKA_SERVER: envList()
    .default(['kafka:9092'])
    .refine((l) => l.length > 0 && l.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
      message: 'must be host:port[,host:port...]',
    })
    .describe(
      'Kafka brokers to bootstrap from, host:port, comma-separated (flag --kafka.server, repeatable).',
    ),
  KAFKA_EXPORTER_WEB_LISTEN_ADDRESS: z
    .string()
    .default(':9308')
    .describe('Address to listen on, [host]:port (flag --web.listen-address).'),
  KAFKA_EXPORTER_WEB_TELEMETRY_PATH: z
    .string()
    .startsWith('/')
    .default('/metrics')
    .describe('Path under which to expose metrics (flag --web.telemetry-path).'),
  KAFKA_EXPORTER_TOPIC_FILTER: regex('.*', 'Regex of the topics to collect (flag --topic.filter).'),
  KAFKA_EXPORTER_TOPIC_EXCLUDE: regex('^$', 'Regex of the topics to leave out (flag --topic.exclude).'),
  KAFKA_EXPORTER_GROUP_FILTER: regex('.*', 'Regex of the consumer groups to collect (flag --group.filter).'),
  KAFKA_EXPORTER_GROUP_EXCLUDE: regex(
    '^$',
    'Regex of the consumer groups to leave out (flag --group.exclude).',
  ),
  KAFKA_EXPORTER_GROUPS: envList()
    .default([])
    .describe(
      'Ours: consumer groups always read, comma-separated, for brokers without ListGroups (such as librdkafka’s mock cluster); groups found in the stored-offsets table are read too (flag --group.names).',
    ),
  KAFKA_EXPORTER_OFFSET_SHOW_ALL: bool(
    true,
    "Report offsets and lag of every group on every topic it has committed offsets for; false: only the partitions assigned to the group's members (flag --offset.show-all).",
  ),
  KAFKA_EXPORTER_TOPIC_WORKERS: envInt({ min: 1, max: 1000 })
    .default(100)
    .describe('Most topics whose offsets are read at once (flag --topic.workers).'),
  KAFKA_EXPORTER_KAFKA_LABELS: z
    .string()
    .optional()
    .describe(
      'Labels added to every series, e.g. the cluster name: label=value,label2=value2 (flag --kafka.labels).',
    ),
  KAFKA_EXPORTER_TLS_ENABLED: bool(false, 'Connect to Kafka using TLS (flag --tls.enabled).'),
  KAFKA_EXPORTER_TLS_SERVER_NAME: z
    .string()
    .optional()
    .describe('Host name the broker certificates are checked against (flag --tls.server-name).'),
  KAFKA_EXPORTER_TLS_CA_FILE: z
    .string()
    .optional()
    .describe('CA bundle for the brokers (flag --tls.ca-file).'),
  KAFKA_EXPORTER_TLS_CERT_FILE: z
    .string()
    .optional()
    .describe('Client certificate for Kafka (flag --tls.cert-file).'),
  KAFKA_EXPORTER_TLS_KEY_FILE: z.string().optional().describe('Client key for Kafka (flag --tls.key-file).'),
  KAFKA_EXPORTER_TLS_INSECURE_SKIP_TLS_VERIFY: bool(
    false,
    'Do not check the broker certificates (flag --tls.insecure-skip-tls-verify).',
  ),
  KAFKA_EXPORTER_SASL_ENABLED: bool(false, 'Authenticate with SASL (flag --sasl.enabled).'),
  KAFKA_EXPORTER_SASL_MECHANISM: z
    .enum(['plain', 'scram-sha256', 'scram-sha512'])
    .default('plain')
    .describe('SASL mechanism: plain, scram-sha256 or scram-sha512 (flag --sasl.mechanism).'),
  KAFKA_EXPORTER_SASL_USERNAME: z.string().optional().describe('SASL user (flag --sasl.username).'),
  KAFKA_EXPORTER_SASL_PASSWORD: z
    .string()
    .optional()
    .describe('SASL password (flag --sasl.password; upstream also reads SASL_USER_PASSWORD; or _FILE).'),
  SASL_USER_PASSWORD: z.string().optional().describe("Upstream's variable for the SASL password."),
  KAFKA_EXPORTER_DATABASE_URL: z
    .string()
    .optional()
    .describe(
      'Ours: PostgreSQL URL of the database holding ingestion_offsets; unset turns the stored-offsets collector off (flag --stored-offsets.database-url; or _FILE).',
    ),
  KAFKA_EXPORTER_COLLECTION_TIMEOUT: envDurationMs()
    .default(9000)
    .refine((ms) => ms > 0, 'must be > 0')
    .describe(
      'Ours: deadline of one scrape; a collector not done by then is reported failed, and its Kafka calls are joined, not repeated, by the next scrape (flag --collection-timeout).',
    ),
  KAFKA_EXPORTER_REQUEST_TIMEOUT: envDurationMs()
    .default(5000)
    .refine((ms) => ms > 0, 'must be > 0')
    .describe(
      'Ours: timeout of one Kafka request, and of connecting to a broker (flag --kafka.request-timeout).',
    ),
  KAFKA_EXPORTER_LOG_LEVEL: envLogLevel().default('info').describe('Log level (flag --log.level).'),
  ...collectorToggles,
});

export type RawConfig = z.infer<typeof configSchema>;

/** Flags (upstream's names where upstream has the setting) and the variables they set. */
export const FLAGS: Record<string, string> = {
  'kafka.server': 'KAFKA_EXPORTER_KAFKA_SERVER',
  'web.listen-address': 'KAFKA_EXPORTER_WEB_LISTEN_ADDRESS',
  'web.telemetry-path': 'KAFKA_EXPORTER_WEB_TELEMETRY_PATH',
  'topic.filter': 'KAFKA_EXPORTER_TOPIC_FILTER',
  'topic.exclude': 'KAFKA_EXPORTER_TOPIC_EXCLUDE',
  'group.filter': 'KAFKA_EXPORTER_GROUP_FILTER',
  'group.exclude': 'KAFKA_EXPORTER_GROUP_EXCLUDE',
  'group.names': 'KAFKA_EXPORTER_GROUPS',
  'offset.show-all': 'KAFKA_EXPORTER_OFFSET_SHOW_ALL',
  'topic.workers': 'KAFKA_EXPORTER_TOPIC_WORKERS',
  'kafka.labels': 'KAFKA_EXPORTER_KAFKA_LABELS',
  'tls.enabled': 'KAFKA_EXPORTER_TLS_ENABLED',
  'tls.server-name': 'KAFKA_EXPORTER_TLS_SERVER_NAME',
  'tls.ca-file': 'KAFKA_EXPORTER_TLS_CA_FILE',
  'tls.cert-file': 'KAFKA_EXPORTER_TLS_CERT_FILE',
  'tls.key-file': 'KAFKA_EXPORTER_TLS_KEY_FILE',
  'tls.insecure-skip-tls-verify': 'KAFKA_EXPORTER_TLS_INSECURE_SKIP_TLS_VERIFY',
  'sasl.enabled': 'KAFKA_EXPORTER_SASL_ENABLED',
  'sasl.mechanism': 'KAFKA_EXPORTER_SASL_MECHANISM',
  'sasl.username': 'KAFKA_EXPORTER_SASL_USERNAME',
  'sasl.password': 'KAFKA_EXPORTER_SASL_PASSWORD',
  'stored-offsets.database-url': 'KAFKA_EXPORTER_DATABASE_URL',
  'collection-timeout': 'KAFKA_EXPORTER_COLLECTION_TIMEOUT',
  'kafka.request-timeout': 'KAFKA_EXPORTER_REQUEST_TIMEOUT',
  'log.level': 'KAFKA_EXPORTER_LOG_LEVEL',
  ...Object.fromEntries(COLLECTORS.map((c) => [`collector.${c.name}`, collectorEnvName(c.name)])),
};

/**
 * Upstream flags this exporter does not implement, and why: passing one is an error naming the
 * reason, rather than a flag silently ignored.
 */
export const UNSUPPORTED_FLAGS: Record<string, string> = {
  'use.consumelag.zookeeper': 'ZooKeeper offsets are gone from Kafka since 3.x (KRaft); not implemented',
  'zookeeper.server': 'ZooKeeper offsets are not implemented',
  'kafka.version': 'kafkajs negotiates API versions with the broker',
  'concurrent.enable': 'scrapes always share one collection, so a slow broker never stacks up requests',
  'refresh.metadata': 'metadata is read on every scrape',
  'log.enable-sarama': 'there is no Sarama; kafkajs logs go to the service log at --log.level',
  verbosity: 'use --log.level',
  'sasl.handshake': 'kafkajs always performs the SASL handshake',
  'sasl.aws-region': 'AWS IAM SASL is not implemented',
  'sasl.oauthbearer-token-url': 'OAUTHBEARER is not implemented',
  'server.tls.enabled': 'serve TLS through a proxy; not implemented',
  'kafka.allow-auto-topic-creation': 'the exporter never creates topics',
};

const BOOLEAN_VARS = new Set([
  'KAFKA_EXPORTER_OFFSET_SHOW_ALL',
  'KAFKA_EXPORTER_TLS_ENABLED',
  'KAFKA_EXPORTER_TLS_INSECURE_SKIP_TLS_VERIFY',
  'KAFKA_EXPORTER_SASL_ENABLED',
  ...COLLECTORS.map((c) => collectorEnvName(c.name)),
]);

/** Flags that may be given more than once; their values are joined with commas. */
const REPEATABLE_VARS = new Set(['KAFKA_EXPORTER_KAFKA_SERVER', 'KAFKA_EXPORTER_GROUPS']);

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
    const negated = m[1];
    const name = m[2] as string;
    const inline = m[3];
    const key = FLAGS[name];
    if (!key) {
      const reason = UNSUPPORTED_FLAGS[name];
      problems.push(
        reason ? `--${name} is not supported: ${reason}` : `unknown flag --${negated ?? ''}${name}`,
      );
      continue;
    }
    let value: string | undefined;
    if (BOOLEAN_VARS.has(key)) value = negated ? 'false' : (inline ?? 'true');
    else if (negated) problems.push(`--no-${name} is not a boolean flag`);
    else if (inline !== undefined) value = inline;
    else if (i + 1 < argv.length) value = argv[++i] as string;
    else problems.push(`--${name} needs a value`);
    if (value === undefined) continue;
    out[key] = REPEATABLE_VARS.has(key) && out[key] !== undefined ? `${out[key]},${value}` : value;
  }
  if (problems.length > 0) throw new KafkaExporterError('CONFIG_INVALID', problems.join('; '));
  return out;
}

export interface KafkaConnection {
  brokers: string[];
  requestTimeoutMs: number;
  tls?: { servername?: string; ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/** The validated settings the exporter runs with. */
export interface ExporterConfig {
  kafka: KafkaConnection;
  listenHost: string | undefined;
  listenPort: number;
  telemetryPath: string;
  topicFilter: RegExp;
  topicExclude: RegExp;
  groupFilter: RegExp;
  groupExclude: RegExp;
  groups: string[];
  offsetShowAll: boolean;
  topicWorkers: number;
  constantLabels: Record<string, string>;
  databaseUrl: string | undefined;
  collectors: string[];
  collectionTimeoutMs: number;
  logLevel: string;
}

/** `a=b,c=d` as upstream's --kafka.labels splits it (a pair without `=` is skipped). */
export function parseConstantLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [key, value] = part.split('=');
    if (key === undefined || value === undefined || key.trim() === '') continue;
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key.trim()))
      throw new KafkaExporterError(
        'CONFIG_INVALID',
        `label name "${key.trim()}" is not a Prometheus label name`,
      );
    out[key.trim()] = value.trim();
  }
  return out;
}

export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!m || Number(m[3]) > 65535)
    throw new KafkaExporterError('CONFIG_INVALID', `listen address "${address}" is not [host]:port`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port: Number(m[3]) };
}

const SASL_MECHANISMS = {
  plain: 'plain',
  'scram-sha256': 'scram-sha-256',
  'scram-sha512': 'scram-sha-512',
} as const;

function readPem(file: string | undefined, what: string): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new KafkaExporterError('CONFIG_INVALID', `cannot read ${what} ${file}`, { cause });
  }
}

export function toExporterConfig(raw: RawConfig): ExporterConfig {
  const { host, port } = parseListenAddress(raw.KAFKA_EXPORTER_WEB_LISTEN_ADDRESS);
  const flags = raw as unknown as Record<string, unknown>;
  const databaseUrl = raw.KAFKA_EXPORTER_DATABASE_URL;
  const collectors = COLLECTORS.filter((c) => flags[collectorEnvName(c.name)] === true)
    .filter((c) => c.source === 'kafka' || databaseUrl !== undefined)
    .map((c) => c.name);
  const kafka: KafkaConnection = {
    brokers: raw.KAFKA_EXPORTER_KAFKA_SERVER,
    requestTimeoutMs: raw.KAFKA_EXPORTER_REQUEST_TIMEOUT,
  };
  if (raw.KAFKA_EXPORTER_TLS_ENABLED)
    kafka.tls = {
      servername: raw.KAFKA_EXPORTER_TLS_SERVER_NAME,
      ca: readPem(raw.KAFKA_EXPORTER_TLS_CA_FILE, 'TLS CA file'),
      cert: readPem(raw.KAFKA_EXPORTER_TLS_CERT_FILE, 'TLS certificate file'),
      key: readPem(raw.KAFKA_EXPORTER_TLS_KEY_FILE, 'TLS key file'),
      rejectUnauthorized: !raw.KAFKA_EXPORTER_TLS_INSECURE_SKIP_TLS_VERIFY,
    };
  if (raw.KAFKA_EXPORTER_SASL_ENABLED) {
    const username = raw.KAFKA_EXPORTER_SASL_USERNAME;
    const password = raw.KAFKA_EXPORTER_SASL_PASSWORD ?? raw.SASL_USER_PASSWORD;
    if (!username || password === undefined)
      throw new KafkaExporterError(
        'CONFIG_INVALID',
        'SASL needs KAFKA_EXPORTER_SASL_USERNAME and KAFKA_EXPORTER_SASL_PASSWORD (or SASL_USER_PASSWORD)',
      );
    kafka.sasl = { mechanism: SASL_MECHANISMS[raw.KAFKA_EXPORTER_SASL_MECHANISM], username, password };
  }
  return {
    kafka,
    listenHost: host,
    listenPort: port,
    telemetryPath: raw.KAFKA_EXPORTER_WEB_TELEMETRY_PATH,
    // unanchored, as Go's regexp.MatchString: a filter matches anywhere in the name
    topicFilter: new RegExp(raw.KAFKA_EXPORTER_TOPIC_FILTER),
    topicExclude: new RegExp(raw.KAFKA_EXPORTER_TOPIC_EXCLUDE),
    groupFilter: new RegExp(raw.KAFKA_EXPORTER_GROUP_FILTER),
    groupExclude: new RegExp(raw.KAFKA_EXPORTER_GROUP_EXCLUDE),
    groups: raw.KAFKA_EXPORTER_GROUPS,
    offsetShowAll: raw.KAFKA_EXPORTER_OFFSET_SHOW_ALL,
    topicWorkers: raw.KAFKA_EXPORTER_TOPIC_WORKERS,
    constantLabels: parseConstantLabels(raw.KAFKA_EXPORTER_KAFKA_LABELS ?? ''),
    databaseUrl,
    collectors,
    collectionTimeoutMs: raw.KAFKA_EXPORTER_COLLECTION_TIMEOUT,
    logLevel: raw.KAFKA_EXPORTER_LOG_LEVEL,
  };
}
