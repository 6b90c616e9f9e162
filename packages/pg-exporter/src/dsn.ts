import { ExporterError } from './errors';

/** One PostgreSQL server to watch, as parsed from DATA_SOURCE_NAME (URI or key=value form). */
export interface DataSource {
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
  /** other connection parameters (sslmode, application_name, ...) */
  options: Record<string, string>;
}

export class DsnError extends ExporterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DSN_INVALID', message, { ...options, retryable: false });
  }
}

/** Splits a comma-separated list of DSNs; commas inside key=value quotes are kept. */
export function splitDsnList(list: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of list) {
    if (ch === "'") quoted = !quoted;
    if (ch === ',' && !quoted) {
      if (current.trim() !== '') out.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

function parseKeyValue(input: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'((?:\\.|[^'\\])*)'|(\S*))/y;
  let pos = 0;
  const text = input.trim();
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m)
      throw new DsnError(`cannot parse key=value connection string near "${text.slice(pos, pos + 20)}"`);
    out[m[1] as string] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    pos = re.lastIndex;
    while (text[pos] === ' ') pos++;
  }
  return out;
}

export function parseDsn(input: string): DataSource {
  const dsn = input.trim();
  if (dsn === '') throw new DsnError('empty data source name');
  if (/^postgres(ql)?:\/\//i.test(dsn)) {
    let url: URL;
    try {
      url = new URL(dsn);
    } catch (cause) {
      throw new DsnError('cannot parse data source URI', { cause });
    }
    const options: Record<string, string> = {};
    for (const [k, v] of url.searchParams) options[k] = v;
    const host = decodeURIComponent(url.hostname || options.host || 'localhost').replace(/^\[|\]$/g, '');
    delete options.host;
    const port = Number(url.port || options.port || 5432);
    delete options.port;
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || options.dbname || 'postgres';
    delete options.dbname;
    const user = url.username ? decodeURIComponent(url.username) : options.user;
    delete options.user;
    const password = url.password ? decodeURIComponent(url.password) : options.password;
    delete options.password;
    return { host, port, database, user, password, options };
  }
  if (!dsn.includes('='))
    throw new DsnError('data source name is neither a postgresql:// URI nor key=value pairs');
  const kv = parseKeyValue(dsn);
  const { host = 'localhost', port = '5432', dbname, user, password, ...options } = kv;
  return { host, port: Number(port), database: dbname ?? user ?? 'postgres', user, password, options };
}

/** The `server` label and log name of a data source: host:port/database, never a password. */
export function serverLabel(ds: DataSource): string {
  const host = ds.host.includes(':') ? `[${ds.host}]` : ds.host;
  return `${host}:${ds.port}/${ds.database}`;
}

/** Builds a URI back from a data source, e.g. for another database on the same server. */
export function toConnectionUri(ds: DataSource, database = ds.database): string {
  const auth = ds.user
    ? `${encodeURIComponent(ds.user)}${ds.password ? `:${encodeURIComponent(ds.password)}` : ''}@`
    : '';
  const host = ds.host.startsWith('/') ? '' : ds.host.includes(':') ? `[${ds.host}]` : ds.host;
  const params = new URLSearchParams(ds.options);
  if (ds.host.startsWith('/')) params.set('host', ds.host);
  const query = params.toString();
  return `postgresql://${auth}${host}:${ds.port}/${encodeURIComponent(database)}${query ? `?${query}` : ''}`;
}

/**
 * The data sources from the environment, as upstream resolves them: DATA_SOURCE_NAME (a
 * comma-separated list) wins; otherwise DATA_SOURCE_URI (comma-separated host:port/db?opts) with
 * DATA_SOURCE_USER and DATA_SOURCE_PASS.
 */
export function resolveDataSources(config: {
  DATA_SOURCE_NAME?: string;
  DATA_SOURCE_URI?: string;
  DATA_SOURCE_USER?: string;
  DATA_SOURCE_PASS?: string;
}): DataSource[] {
  if (config.DATA_SOURCE_NAME && config.DATA_SOURCE_NAME.trim() !== '') {
    return splitDsnList(config.DATA_SOURCE_NAME).map(parseDsn);
  }
  if (config.DATA_SOURCE_URI && config.DATA_SOURCE_URI.trim() !== '') {
    return config.DATA_SOURCE_URI.split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '')
      .map((uri) => {
        const ds = parseDsn(/^postgres(ql)?:\/\//i.test(uri) ? uri : `postgresql://${uri}`);
        if (config.DATA_SOURCE_USER) ds.user = config.DATA_SOURCE_USER;
        if (config.DATA_SOURCE_PASS) ds.password = config.DATA_SOURCE_PASS;
        return ds;
      });
  }
  return [];
}
