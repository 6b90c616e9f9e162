import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import type { Row } from './collector';
import { ExporterError } from './errors';
import { num, type Sample, str } from './exposition';

export class UserQueriesError extends ExporterError {}

const USAGES = ['LABEL', 'COUNTER', 'GAUGE', 'MAPPEDMETRIC', 'DURATION', 'DISCARD', 'HISTOGRAM'] as const;
type Usage = (typeof USAGES)[number];

const columnSchema = z.object({
  usage: z
    .string()
    .transform((u) => u.toUpperCase())
    .pipe(z.enum(USAGES)),
  description: z.string().default(''),
  metric_mapping: z.record(z.string(), z.number()).optional(),
});

const querySchema = z.object({
  query: z.string().min(1),
  metrics: z.array(z.record(z.string(), columnSchema)).default([]),
  master: z.boolean().default(false),
  cache_seconds: z.number().nonnegative().default(0),
  runonserver: z.string().default(''),
});

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

export function parseUserQueries(text: string): UserQuery[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (cause) {
    throw new UserQueriesError('USER_QUERIES_INVALID', 'queries file is not valid YAML', { cause });
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new UserQueriesError('USER_QUERIES_INVALID', 'queries file must map metric namespaces to queries');
  const problems: string[] = [];
  const queries: UserQuery[] = [];
  for (const [namespace, spec] of Object.entries(doc as Record<string, unknown>)) {
    const parsed = querySchema.safeParse(spec);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${namespace}.${issue.path.join('.')}: ${issue.message}`);
      continue;
    }
    const columns: UserColumn[] = [];
    for (const entry of parsed.data.metrics) {
      for (const [name, c] of Object.entries(entry)) {
        columns.push({ name, usage: c.usage, description: c.description, mapping: c.metric_mapping });
      }
    }
    queries.push({
      namespace,
      query: parsed.data.query,
      master: parsed.data.master,
      cacheSeconds: parsed.data.cache_seconds,
      runOnServer: parsed.data.runonserver,
      columns,
      labels: columns.filter((c) => c.usage === 'LABEL').map((c) => c.name),
    });
  }
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

/** Turns the rows of one user query into samples the way upstream maps columns. */
export function userQuerySamples(q: UserQuery, rows: Row[]): Sample[] {
  const out: Sample[] = [];
  const byName = new Map(q.columns.map((c) => [c.name, c]));
  for (const row of rows) {
    const labels: Record<string, string> = {};
    for (const l of q.labels) labels[l] = str(row[l]);
    for (const [column, raw] of Object.entries(row)) {
      const c = byName.get(column);
      if (c && (c.usage === 'LABEL' || c.usage === 'DISCARD' || c.usage === 'HISTOGRAM')) continue;
      if (raw === null || raw === undefined) continue;
      const name = `${q.namespace}_${column}`;
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
