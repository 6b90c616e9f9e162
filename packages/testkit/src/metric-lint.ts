import { renderMetrics } from '@reelwatch/service-kit';
import { Registry, type RegistryContentType } from 'prom-client';

export interface LintOptions {
  /** Label names that are fine for this service although they look unbounded (e.g. a bounded `path`). */
  allowLabels?: string[];
  /** Whole metric names exempt from the naming rules (names kept for compatibility, e.g. postgres_exporter's). */
  allowNames?: string[];
  /** More distinct values than this for one label across a family is a problem; default 100. */
  maxLabelValues?: number;
}

/** One metric family as exposed: its TYPE and every sample's labels. */
export interface MetricFamily {
  name: string;
  type: string;
  samples: { name: string; labels: Record<string, string>; value: string }[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'unknown',
  'info',
  'stateset',
  'gaugehistogram',
]);
const SUFFIXES: Record<string, string[]> = {
  counter: ['_total', '_created'],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['_sum', '_count', '_created'],
  info: ['_info'],
};
/** Labels that are part of the histogram/summary format, not of the metric's identity. */
const STRUCTURAL_LABELS = new Set(['le', 'quantile']);

/**
 * prom-client default metrics that are gauges ending in `_total`. They predate the convention and are
 * what community dashboards (e.g. grafana.com 11159) query, so they are kept as they are.
 */
const LEGACY_TOTAL_GAUGES = new Set([
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]);

const TIME_UNITS = new Set([
  'ms',
  'msec',
  'msecs',
  'millis',
  'millisecond',
  'milliseconds',
  'us',
  'usec',
  'usecs',
  'micros',
  'microsecond',
  'microseconds',
  'ns',
  'nanos',
  'nanosecond',
  'nanoseconds',
  'mins',
  'minute',
  'minutes',
  'hour',
  'hours',
  'days',
]);
const SIZE_UNITS = new Set([
  'kb',
  'kib',
  'mb',
  'mib',
  'gb',
  'gib',
  'tb',
  'tib',
  'kilobytes',
  'megabytes',
  'gigabytes',
  'terabytes',
  'kibibytes',
  'mebibytes',
  'gibibytes',
]);
/** Label names whose values are per user, per movie, per request, raw text...: unbounded series. */
const UNBOUNDED_LABELS = new Set([
  'id',
  'uuid',
  'user',
  'userid',
  'user_id',
  'username',
  'user_name',
  'movie',
  'movieid',
  'movie_id',
  'sql',
  'query',
  'query_text',
  'querytext',
  'statement',
  'email',
  'ip',
  'ip_address',
  'client_ip',
  'remote_addr',
  'session',
  'sessionid',
  'session_id',
  'requestid',
  'request_id',
  'traceid',
  'trace_id',
  'spanid',
  'span_id',
  'url',
  'uri',
  'raw_path',
  'message',
  'error_message',
]);
const PATH_LABELS = new Set(['path', 'route', 'endpoint', 'target']);

/**
 * Checks exposed metric names against the Prometheus conventions: valid metric and label names,
 * `_total` on counters and only on counters, base units (`_seconds`, `_bytes`), timestamps as
 * `_timestamp_seconds` gauges, no label whose values are unbounded (ids, raw SQL, raw paths) and no
 * label with more than maxLabelValues values. Returns one problem per line, each naming the metric;
 * an empty list means clean.
 */
export async function lintMetrics(
  source: Registry<RegistryContentType> | string,
  options: LintOptions = {},
): Promise<string[]> {
  const text = source instanceof Registry ? await renderMetrics(source, 'prometheus') : source;
  const { families, problems } = parseExposition(text);
  const allowLabels = new Set(options.allowLabels ?? []);
  const allowNames = new Set(options.allowNames ?? []);
  const maxValues = options.maxLabelValues ?? 100;

  for (const family of families) {
    if (allowNames.has(family.name)) continue;
    problems.push(...lintFamily(family, allowLabels, maxValues));
  }
  return [...new Set(problems)];
}

function lintFamily(family: MetricFamily, allowLabels: Set<string>, maxValues: number): string[] {
  const problems: string[] = [];
  const { type } = family;
  // OpenMetrics names a counter family without `_total` and puts it on the samples.
  const name =
    type === 'counter' &&
    !family.name.endsWith('_total') &&
    family.samples.some((s) => s.name === `${family.name}_total`)
      ? `${family.name}_total`
      : family.name;
  const say = (problem: string) => problems.push(`${name}: ${problem}`);

  if (!METRIC_NAME.test(name)) say('invalid metric name (allowed: [a-zA-Z_:][a-zA-Z0-9_:]*)');
  else if (name.includes(':')) say('colons are reserved for recording rules');
  if (name.startsWith('__')) say('names starting with __ are reserved');
  if (!TYPES.has(type)) say(`unknown metric type "${type}"`);

  if (type === 'counter' && !name.endsWith('_total')) say('counter names must end in _total');
  if (type !== 'counter' && name.endsWith('_total') && !LEGACY_TOTAL_GAUGES.has(name)) {
    say(`only counters may end in _total (this is a ${type})`);
  }

  const tokens = name.toLowerCase().split('_');
  const timeUnit = tokens.find((t) => TIME_UNITS.has(t));
  if (timeUnit) say(`time in "${timeUnit}": use the base unit _seconds`);
  const sizeUnit = tokens.find((t) => SIZE_UNITS.has(t));
  if (sizeUnit) say(`size in "${sizeUnit}": use the base unit _bytes`);
  if (tokens.includes('timestamp')) {
    if (!/_timestamp_seconds$/.test(name))
      say('timestamps must be named *_timestamp_seconds (seconds since the epoch)');
    else if (type !== 'gauge' && type !== 'untyped' && type !== 'unknown')
      say(`timestamps must be gauges (this is a ${type})`);
  }

  const values = new Map<string, Set<string>>();
  for (const sample of family.samples) {
    for (const [label, value] of Object.entries(sample.labels)) {
      const seen = values.get(label) ?? new Set<string>();
      seen.add(value);
      values.set(label, seen);
    }
  }
  for (const [label, seen] of values) {
    if (!LABEL_NAME.test(label)) say(`invalid label name "${label}"`);
    else if (label.startsWith('__')) say(`label names starting with __ are reserved ("${label}")`);
    if (STRUCTURAL_LABELS.has(label) || allowLabels.has(label)) continue;
    const lower = label.toLowerCase();
    if (UNBOUNDED_LABELS.has(lower) || lower.endsWith('_id')) {
      say(`label "${label}" has unbounded values (ids, raw text): aggregate instead or log it`);
    } else if (PATH_LABELS.has(lower)) {
      const raw = [...seen].find(isRawPath);
      if (raw !== undefined)
        say(`label "${label}" holds raw paths ("${raw.slice(0, 60)}"): use the route template`);
    }
    if (seen.size > maxValues)
      say(`label "${label}" has ${seen.size} distinct values (more than ${maxValues})`);
  }
  return problems;
}

/** A path with a query string or a segment that looks like an id (digits, uuid, slug with +). */
function isRawPath(value: string): boolean {
  if (/[?=]/.test(value)) return true;
  return value.split('/').some((segment) => /\d/.test(segment) || segment.includes('+'));
}

/**
 * Parses Prometheus text 0.0.4 or OpenMetrics text into families. Samples are attached to the family
 * they belong to (histogram `_bucket`/`_sum`/`_count`, counter `_total`, ...); samples without a
 * TYPE line form an untyped family. Lines that cannot be parsed become problems.
 */
export function parseExposition(text: string): { families: MetricFamily[]; problems: string[] } {
  const families = new Map<string, MetricFamily>();
  const problems: string[] = [];
  const family = (name: string) => {
    const found = families.get(name) ?? { name, type: 'untyped', samples: [] };
    families.set(name, found);
    return found;
  };

  const lines = text.split('\n');
  lines.forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const meta = /^#\s+(TYPE|HELP|UNIT)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (meta?.[1] === 'TYPE') family(meta[2]!).type = (meta[3] ?? '').trim();
      return;
    }
    const sample = parseSample(line);
    if (!sample) {
      problems.push(`line ${index + 1}: cannot parse sample "${line.slice(0, 80)}"`);
      return;
    }
    family(familyOf(sample.name, families)).samples.push(sample);
  });
  return { families: [...families.values()], problems };
}

function familyOf(sampleName: string, families: Map<string, MetricFamily>): string {
  const exact = families.get(sampleName);
  if (exact && exact.type !== 'untyped') return sampleName;
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!sampleName.endsWith(suffix)) continue;
      const base = families.get(sampleName.slice(0, -suffix.length));
      if (base?.type === type) return base.name;
    }
  }
  return sampleName;
}

function isSampleValue(text: string): boolean {
  return /^[+-]?(Inf|NaN)$/i.test(text) || (text.trim() !== '' && Number.isFinite(Number(text)));
}

function parseSample(line: string): MetricFamily['samples'][number] | undefined {
  const nameMatch = /^[^\s{]+/.exec(line);
  if (!nameMatch) return undefined;
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    let i = 1;
    while (i < rest.length && rest[i] !== '}') {
      const labelMatch = /^\s*([^\s=,}]+)\s*=\s*"/.exec(rest.slice(i));
      if (!labelMatch) return undefined;
      i += labelMatch[0].length;
      let value = '';
      while (i < rest.length && rest[i] !== '"') {
        if (rest[i] === '\\' && i + 1 < rest.length) {
          const next = rest[i + 1];
          value += next === 'n' ? '\n' : next;
          i += 2;
        } else {
          value += rest[i];
          i += 1;
        }
      }
      if (rest[i] !== '"') return undefined;
      i += 1;
      labels[labelMatch[1]!] = value;
      const sep = /^\s*,?\s*/.exec(rest.slice(i))!;
      i += sep[0].length;
    }
    if (rest[i] !== '}') return undefined;
    rest = rest.slice(i + 1);
  }
  const value = /^\s+(\S+)/.exec(rest);
  if (!value || !isSampleValue(value[1]!)) return undefined;
  return { name, labels, value: value[1]! };
}
