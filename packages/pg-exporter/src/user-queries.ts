import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isScalar, type Node } from 'yaml';
import type { Row } from './collector';
import { ExporterError } from './errors';
import { type MetricType, num, type Sample, str } from './exposition';
import { GoYamlDocument } from './go-yaml';

export class UserQueriesError extends ExporterError {}

const USAGES = ['LABEL', 'COUNTER', 'GAUGE', 'MAPPEDMETRIC', 'DURATION', 'DISCARD', 'HISTOGRAM'] as const;
type Usage = (typeof USAGES)[number];

export interface UserColumn {
  name: string;
  usage: Usage;
  description: string;
  mapping?: Record<string, number>;
}

/** One namespace of upstream's queries.yaml (PG_EXPORTER_EXTEND_QUERY_PATH). */
export interface UserQuery {
  namespace: string;
  query: string;
  master: boolean;
  cacheSeconds: number;
  runOnServer: string;
  columns: UserColumn[];
  labels: string[];
}

export interface UserQueryFile {
  path: string;
  hashsum: string;
  queries: UserQuery[];
  error?: UserQueriesError;
}

// Field names of upstream's exporter/queries.go UserQuery and MappingOptions (yaml.v2 tags).
const QUERY_FIELDS = ['query', 'metrics', 'master', 'cache_seconds', 'runonserver'] as const;
const COLUMN_FIELDS = ['usage', 'description', 'metric_mapping', 'pg_version'] as const;

function isUsage(usage: string): usage is Usage {
  return (USAGES as readonly string[]).includes(usage);
}

/**
 * Reads queries.yaml as upstream's yaml.v2 Unmarshal does (see go-yaml.ts: its scanner leniency,
 * scalars into strings, YAML 1.1 booleans, unknown keys ignored, a repeated key's last value wins),
 * then checks what upstream would silently get wrong: a namespace without a query, an unknown usage.
 */
export function parseUserQueries(text: string): UserQuery[] {
  let doc: GoYamlDocument;
  try {
    doc = GoYamlDocument.parse(text, { uniqueKeys: false });
  } catch (cause) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    throw new UserQueriesError('USER_QUERIES_INVALID', `queries file is not valid YAML${detail}`, { cause });
  }
  const problems: string[] = [];
  const queries: UserQuery[] = [];
  const namespaces = new Map<string, Node | null>();
  for (const [namespace, spec] of doc.entries(doc.root, 'exporter.UserQueries'))
    namespaces.set(namespace, spec);
  for (const [namespace, spec] of namespaces) {
    const fields = doc.struct(spec, 'exporter.UserQuery', QUERY_FIELDS, false);
    const query = doc.string(fields.get('query') ?? null);
    const columns = new Map<string, UserColumn>();
    for (const [index, entry] of doc.items(fields.get('metrics') ?? null, '[]exporter.Mapping').entries()) {
      for (const [name, options] of doc.entries(entry, 'exporter.Mapping')) {
        const c = doc.struct(options, 'exporter.MappingOptions', COLUMN_FIELDS, false);
        const usage = doc.string(c.get('usage') ?? null).toUpperCase();
        const where = `${namespace}.metrics.${index}.${name}`;
        if (!isUsage(usage))
          problems.push(`${where}.usage: unknown usage "${usage}" (one of ${USAGES.join(', ')})`);
        // semver.Range is a Go func type: yaml.v2 cannot decode any value into it, only null
        const pgVersion = c.get('pg_version') ?? null;
        if (pgVersion !== null && !(isScalar(pgVersion) && pgVersion.value === null))
          problems.push(
            `${where}.pg_version: line ${doc.line(pgVersion)}: cannot unmarshal into semver.Range`,
          );
        const mappingNode = c.get('metric_mapping') ?? null;
        const mapping: Record<string, number> = {};
        for (const [key, value] of doc.entries(mappingNode, 'map[string]float64'))
          mapping[key] = doc.float(value);
        columns.set(name, {
          name,
          usage: isUsage(usage) ? usage : 'DISCARD',
          description: doc.string(c.get('description') ?? null),
          mapping: mappingNode === null ? undefined : mapping,
        });
      }
    }
    if (query.trim() === '') problems.push(`${namespace}.query: a query is required`);
    queries.push({
      namespace,
      query,
      master: doc.bool(fields.get('master') ?? null),
      cacheSeconds: doc.uint(fields.get('cache_seconds') ?? null),
      runOnServer: doc.string(fields.get('runonserver') ?? null),
      columns: [...columns.values()],
      labels: [...columns.values()].filter((c) => c.usage === 'LABEL').map((c) => c.name),
    });
  }
  problems.unshift(...doc.problems);
  if (problems.length > 0)
    throw new UserQueriesError('USER_QUERIES_INVALID', `queries file has problems: ${problems.join('; ')}`);
  return queries;
}

/** Reads the file; a bad file is reported (pg_exporter_user_queries_load_error 1), never fatal. */
export function loadUserQueries(path: string): UserQueryFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    return {
      path,
      hashsum: '',
      queries: [],
      error: new UserQueriesError('USER_QUERIES_INVALID', `cannot read ${path}`, { cause }),
    };
  }
  const hashsum = createHash('sha256').update(text).digest('hex');
  try {
    return { path, hashsum, queries: parseUserQueries(text) };
  } catch (err) {
    return { path, hashsum, queries: [], error: err as UserQueriesError };
  }
}

/** Go's time.ParseDuration subset ("1h2m3.5s", "250ms", "-1"), in milliseconds. */
export function parseGoDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (s === '' || s === '-1') return undefined;
  if (s === '0') return 0;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let sign = 1;
  let rest = s;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  let total = 0;
  let pos = 0;
  re.lastIndex = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const m = re.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (units[m[2] as string] as number);
    pos = re.lastIndex;
  }
  return sign * total;
}

function parseVersion(text: string): [number, number, number] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function compare(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

/** blang/semver ranges as upstream's `runonserver` uses them: ">=10.0.0 <12.0.0 || >=13.0.0". */
export function versionSatisfies(range: string, versionNum: number): boolean {
  if (range.trim() === '') return true;
  const major = Math.floor(versionNum / 10000);
  const version: [number, number, number] =
    major >= 10
      ? [major, versionNum % 10000, 0]
      : [major, Math.floor(versionNum / 100) % 100, versionNum % 100];
  return range.split('||').some((alt) =>
    alt
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '')
      .every((token) => {
        const m = /^(>=|<=|!=|==|=|>|<)?(.+)$/.exec(token);
        const target = m ? parseVersion(m[2] as string) : undefined;
        if (!m || !target) return false;
        const c = compare(version, target);
        switch (m[1]) {
          case '>=':
            return c >= 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          case '<':
            return c < 0;
          case '!=':
            return c !== 0;
          default:
            return c === 0;
        }
      }),
  );
}

/** A Postgres array column as numbers: node-pg gives arrays of known types, text `{1,2}` otherwise. */
function numberArray(value: unknown): number[] | undefined {
  const items = Array.isArray(value)
    ? value
    : typeof value === 'string' && value.startsWith('{') && value.endsWith('}')
      ? value
          .slice(1, -1)
          .split(',')
          .filter((v) => v !== '')
      : undefined;
  if (!items) return undefined;
  const out = items.map((v) => num(v));
  return out.every((v): v is number => v !== undefined && !Number.isNaN(v)) ? out : undefined;
}

/**
 * One HISTOGRAM column as upstream reads it: `<col>` holds the bucket bounds, `<col>_bucket` the
 * cumulative counts, `<col>_sum` and `<col>_count` the totals; a missing or unparsable part skips
 * the histogram of that row (upstream: a non-fatal error), never the other columns.
 */
function histogramSamples(
  name: string,
  column: string,
  help: string,
  labels: Record<string, string>,
  row: Row,
): Sample[] {
  const bounds = numberArray(row[column]);
  const counts = numberArray(row[`${column}_bucket`]);
  const sum = num(row[`${column}_sum`]);
  const count = num(row[`${column}_count`]);
  if (!bounds || !counts || sum === undefined || count === undefined) return [];
  if (!Number.isInteger(count) || count < 0) return [];
  const buckets = new Map<number, number>();
  bounds.forEach((le, i) => {
    if (i < counts.length) buckets.set(le, counts[i] as number);
  });
  const sample = (suffix: string, extra: Record<string, string>, value: number): Sample => ({
    family: name,
    name: `${name}${suffix}`,
    help,
    type: 'histogram',
    labels: { ...labels, ...extra },
    value,
  });
  return [
    ...[...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([le, value]) => sample('_bucket', { le: String(le) }, value)),
    sample('_bucket', { le: '+Inf' }, count),
    sample('_sum', {}, sum),
    sample('_count', {}, count),
  ];
}

/** The families a query can emit, as upstream's makeDescMap declares them (LABEL and DISCARD emit none). */
export function userQueryFamilies(q: UserQuery): Array<{ name: string; type: MetricType; labels: string[] }> {
  const types: Partial<Record<Usage, MetricType>> = {
    COUNTER: 'counter',
    GAUGE: 'gauge',
    MAPPEDMETRIC: 'gauge',
    DURATION: 'gauge',
    HISTOGRAM: 'histogram',
  };
  return q.columns.flatMap((c) => {
    const type = types[c.usage];
    if (!type || histogramHelper(q, c.name)) return [];
    const suffix = c.usage === 'DURATION' ? '_milliseconds' : '';
    return [{ name: `${q.namespace}_${c.name}${suffix}`, type, labels: [...q.labels] }];
  });
}

/**
 * Whether a column is the `_bucket`, `_sum` or `_count` part of a HISTOGRAM column. Upstream marks
 * these parts discarded in the same Go map as the declared columns, so a part that is also declared
 * (user_queries_test.yaml's `missing_sum`) ends up one or the other by map order; as a part it can
 * never emit anything of its own, so it is treated as a part here.
 */
function histogramHelper(q: UserQuery, column: string): boolean {
  const m = /^(.+)_(bucket|sum|count)$/.exec(column);
  return !!m && q.columns.some((c) => c.name === m[1] && c.usage === 'HISTOGRAM');
}

/** Turns the rows of one user query into samples the way upstream maps columns. */
export function userQuerySamples(q: UserQuery, rows: Row[]): Sample[] {
  const out: Sample[] = [];
  const byName = new Map(q.columns.map((c) => [c.name, c]));
  for (const row of rows) {
    const labels: Record<string, string> = {};
    for (const l of q.labels) labels[l] = str(row[l]);
    for (const [column, raw] of Object.entries(row)) {
      if (histogramHelper(q, column)) continue;
      const c = byName.get(column);
      if (c && (c.usage === 'LABEL' || c.usage === 'DISCARD')) continue;
      const name = `${q.namespace}_${column}`;
      if (c?.usage === 'HISTOGRAM') {
        out.push(...histogramSamples(name, column, c.description, labels, row));
        continue;
      }
      if (raw === null || raw === undefined) continue;
      if (!c) {
        const value = num(raw);
        if (value !== undefined)
          out.push({ name, help: `Unknown metric from ${q.namespace}`, type: 'untyped', labels, value });
        continue;
      }
      if (c.usage === 'COUNTER' || c.usage === 'GAUGE') {
        const value = num(raw);
        if (value !== undefined)
          out.push({
            name,
            help: c.description,
            type: c.usage === 'COUNTER' ? 'counter' : 'gauge',
            labels,
            value,
          });
      } else if (c.usage === 'MAPPEDMETRIC') {
        const value = c.mapping?.[String(raw)];
        if (value !== undefined) out.push({ name, help: c.description, type: 'gauge', labels, value });
      } else if (c.usage === 'DURATION') {
        const value = parseGoDurationMs(String(raw));
        if (value !== undefined)
          out.push({ name: `${name}_milliseconds`, help: c.description, type: 'gauge', labels, value });
      }
    }
  }
  return out;
}
