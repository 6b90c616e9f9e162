import type { VariableJson } from './dashboards';

// ------------------------------------------------------------------ template variables, as Grafana's Prometheus datasource runs them

/** A Prometheus HTTP API request, as Grafana's Prometheus datasource makes it for a variable query. */
export interface PromVariableRequest {
  kind: 'label_names' | 'label_values' | 'metrics' | 'query_result' | 'series';
  path: string;
  params: [string, string][];
  /** metrics(re): the regex the metric names are filtered with */
  filter?: RegExp;
  label?: string;
}

// The regexes of PrometheusMetricFindQuery (packages/grafana-prometheus/src/metric_find_query.ts).
const LABEL_NAMES = /^label_names\(\)\s*$/;
const LABEL_VALUES = /^label_values\((?:(.+),\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\)\s*$/;
const METRIC_NAMES = /^metrics\((.+)\)\s*$/;
const QUERY_RESULT = /^query_result\((.+)\)\s*$/;

/** The query text of a variable: a string, or the `query` of a StandardVariableQuery object. */
export function variableQueryText(variable: VariableJson): string {
  const q = variable.query;
  if (typeof q === 'string') return q;
  if (q && typeof q.query === 'string') return q.query;
  return variable.definition ?? '';
}

/**
 * The request Grafana's Prometheus datasource sends for an (already interpolated) variable query,
 * over the time range [start, end] in seconds:
 *  label_names()            -> /api/v1/labels
 *  label_values(label)      -> /api/v1/label/<label>/values
 *  label_values(sel, label) -> /api/v1/label/<label>/values?match[]=<sel>
 *  metrics(re)              -> /api/v1/label/__name__/values, names matching re
 *  query_result(expr)       -> /api/v1/query?query=<expr> (instant, at end)
 *  anything else            -> /api/v1/series?match[]=<query>
 */
export function promVariableRequest(query: string, start: number, end: number): PromVariableRequest {
  const range: [string, string][] = [
    ['start', String(start)],
    ['end', String(end)],
  ];
  const q = query.trim();
  if (LABEL_NAMES.test(q)) return { kind: 'label_names', path: '/api/v1/labels', params: range };
  let m = LABEL_VALUES.exec(q);
  if (m) {
    const label = m[2] as string;
    const params: [string, string][] = m[1] ? [['match[]', m[1].trim()], ...range] : range;
    return { kind: 'label_values', path: `/api/v1/label/${encodeURIComponent(label)}/values`, params, label };
  }
  m = METRIC_NAMES.exec(q);
  if (m)
    return {
      kind: 'metrics',
      path: '/api/v1/label/__name__/values',
      params: range,
      filter: new RegExp((m[1] as string).trim()),
    };
  m = QUERY_RESULT.exec(q);
  if (m)
    return {
      kind: 'query_result',
      path: '/api/v1/query',
      params: [
        ['query', m[1] as string],
        ['time', String(end)],
      ],
    };
  return { kind: 'series', path: '/api/v1/series', params: [['match[]', q], ...range] };
}

function seriesText(metric: Record<string, string>): string {
  const { __name__: name = '', ...labels } = metric;
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${inner}}`;
}

/** Runs a variable query against Prometheus at baseUrl the way Grafana does; returns its values. */
export async function runPromVariableQuery(
  baseUrl: string,
  query: string,
  options: { start: number; end: number; regex?: string },
): Promise<string[]> {
  const req = promVariableRequest(query, options.start, options.end);
  const url = new URL(req.path, baseUrl);
  for (const [k, v] of req.params) url.searchParams.append(k, v);
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; data?: unknown; error?: string };
  if (!res.ok || body.status !== 'success')
    throw new Error(`${req.path} answered ${res.status}: ${body.error ?? ''}`);
  let values: string[];
  switch (req.kind) {
    case 'label_names':
    case 'label_values':
      values = body.data as string[];
      break;
    case 'metrics':
      values = (body.data as string[]).filter((n) => req.filter?.test(n));
      break;
    case 'query_result':
      values = (
        body.data as { result: { metric: Record<string, string>; value: [number, string] }[] }
      ).result.map((r) => `${seriesText(r.metric)} ${r.value[1]} ${Math.round(r.value[0] * 1000)}`);
      break;
    case 'series':
      values = (body.data as Record<string, string>[]).map(seriesText);
      break;
  }
  // The variable's regex filters (and with a capture group, extracts) the values.
  if (options.regex) {
    const re = new RegExp(options.regex.replace(/^\/(.*)\/[gimsuy]*$/, '$1'));
    values = values.flatMap((v) => {
      const mm = re.exec(v);
      if (!mm) return [];
      return [mm.groups?.value ?? mm.groups?.text ?? mm[1] ?? mm[0]];
    });
  }
  return [...new Set(values)];
}

/**
 * A variable value as Grafana's Prometheus datasource puts it into a query (interpolateQueryExpr in
 * packages/grafana-prometheus/src/datasource.ts): for multi-value or include-All variables, regex
 * special characters are escaped (the value lands in a =~ matcher) and several values become (a|b).
 */
export function interpolatePromValue(
  values: string[],
  variable: Pick<VariableJson, 'multi' | 'includeAll'>,
): string {
  if (!variable.multi && !variable.includeAll)
    return (values[0] ?? '').replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
  const escaped = values.map((v) => v.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&'));
  return escaped.length === 1 ? (escaped[0] as string) : `(${escaped.join('|')})`;
}
