// Offline checks of what Grafana reads: the provisioning files, the dashboards' schemaVersion, their
// datasource references, and (with a Prometheus to ask) their template variables' queries. No Grafana
// server runs here, so each rule below is taken from Grafana's source and says which file it comes from.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse } from 'yaml';

// ------------------------------------------------------------------ dashboard schemaVersion

/**
 * The oldest dashboard schemaVersion Grafana 12.2's backend migrator accepts: MIN_VERSION in
 * apps/dashboard/pkg/migration/schemaversion/migrations.go, as it stands in the commit that registers
 * V42 (2f81c854a1da192f13ded643ac5f95d42251319a, the 12.2 line). Below it, migrate() in
 * apps/dashboard/pkg/migration/migrate.go returns a MinimumVersionError and the dashboard API's
 * v0alpha1 -> v1 conversion fails. (Later releases lowered it to 9, then 0; 13 is the strict bound.
 * The frontend's public/app/features/dashboard/state/DashboardMigrator.ts has no minimum.)
 */
export const GRAFANA_MIN_SCHEMA_VERSION = 13;

/**
 * The newest schemaVersion Grafana 12.2 knows: LATEST_VERSION in the same migrations.go (42, "the
 * final version for the v1 dashboard API" per that folder's README). Above it, migrate() fails with
 * "schema version not migrated to target version". @grafana/schema@12.2.0, built from the same tree,
 * defaults dashboards to schemaVersion 42 (12.1.0: 41).
 */
export const GRAFANA_LATEST_SCHEMA_VERSION = 42;

// ------------------------------------------------------------------ provisioning file schemas
//
// Grafana reads provisioning YAML with go-yaml into the structs of
//   pkg/services/provisioning/datasources/types.go (configsV1, upsertDataSourceFromConfigV1, ...)
//   pkg/services/provisioning/dashboards/types.go  (configV1, configs)
// Scalars go through pkg/services/provisioning/values/values.go: every one is first read as a
// string and env-expanded, then BoolValue runs strconv.ParseBool and Int64Value strconv.ParseInt.
// So, for each kind of mistake, Grafana either FAILS (provisioning stops, Grafana does not start) or
// IGNORES it SILENTLY (the setting is not applied and nothing says so). The schemas reject both:
//  - unknown key (typo, snake_case v0 key, wrong level): go-yaml drops it -> IGNORED.
//  - bool/integer field with a non-bool/non-number text ("yes", "abc"): ParseBool/ParseInt -> FAILS.
//  - string field given a number or bool: read as its text -> IGNORED (works by accident); we want
//    the YAML type the field has.
//  - mapping or list where a scalar goes, or a scalar where jsonData/options goes -> FAILS.
//  - apiVersion missing or 0: the file is read as the deprecated v0 format, whose keys are snake_case
//    (is_default, json_data, ...): every camelCase key of ours -> IGNORED. For dashboards the v0
//    format is a bare list, so a mapping -> FAILS. apiVersion must be 1.
//  - datasource `access` other than proxy/direct: config_reader.go logs a warning and uses proxy ->
//    IGNORED.
//  - two isDefault datasources in one org: config_reader.go ErrInvalidConfigToManyDefault -> FAILS.
//  - two dashboard providers with one name: types.go "dashboard name %q is not unique" -> FAILS.
//  - options.foldersFromFilesStructure not a bool: file_reader.go reads it with a type assertion
//    that yields false -> IGNORED (dashboards land in the General folder).

const scalarString = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const orgId = { type: 'integer', minimum: 1 } as const;

/** HTTP client settings every datasource's jsonData may carry (Grafana's DataSourceHttpSettings). */
const httpJsonData = {
  timeout: { type: 'number', minimum: 0 },
  keepCookies: { type: 'array', items: scalarString },
  tlsAuth: bool,
  tlsAuthWithCACert: bool,
  tlsSkipVerify: bool,
  serverName: scalarString,
  oauthPassThru: bool,
  sigV4Auth: bool,
  enableSecureSocksProxy: bool,
  manageAlerts: bool,
  alertmanagerUid: scalarString,
} as const;

/**
 * jsonData is a free map to Grafana (values.JSONValue): a misspelled key is stored and never read.
 * So for the datasource types we provision, jsonData's keys are the plugin's own options
 * (Prometheus: PromOptions in packages/grafana-prometheus/src/types.ts; Alertmanager:
 * AlertManagerDataSourceJsonData) plus the HTTP settings above; a valid key missing here must be
 * added to the list, with its type.
 */
const jsonDataByType: Record<string, object> = {
  prometheus: {
    type: 'object',
    additionalProperties: false,
    patternProperties: { '^httpHeaderName\\d+$': scalarString },
    properties: {
      ...httpJsonData,
      httpMethod: { enum: ['GET', 'POST'] },
      timeInterval: { type: 'string', pattern: '^\\d+(ms|s|m|h|d|w|y)$' },
      queryTimeout: { type: 'string', pattern: '^\\d+(ms|s|m|h|d|w|y)$' },
      customQueryParameters: scalarString,
      disableMetricsLookup: bool,
      exemplarTraceIdDestinations: { type: 'array', items: { type: 'object' } },
      prometheusType: { enum: ['Prometheus', 'Cortex', 'Mimir', 'Thanos'] },
      prometheusVersion: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
      cacheLevel: { enum: ['Low', 'Medium', 'High', 'None'] },
      defaultEditor: { enum: ['code', 'builder'] },
      incrementalQuerying: bool,
      incrementalQueryOverlapWindow: scalarString,
      disableRecordingRules: bool,
      seriesEndpoint: bool,
      seriesLimit: { type: 'integer', minimum: 0 },
    },
  },
  alertmanager: {
    type: 'object',
    additionalProperties: false,
    patternProperties: { '^httpHeaderName\\d+$': scalarString },
    properties: {
      ...httpJsonData,
      implementation: { enum: ['prometheus', 'cortex', 'mimir'] },
      handleGrafanaManagedAlerts: bool,
    },
  },
};

// Grafana's util.ValidateUID: letters, digits, '-' and '_', at most 40 characters.
const uid = { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,40}$' } as const;

export const datasourceProvisioningSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'datasources'],
  properties: {
    apiVersion: { const: 1 },
    datasources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        // Grafana requires none of these (it derives a uid from the name, proxy for access): the
        // dashboards reference the fixed uid, and a datasource without a url or type is useless.
        required: ['name', 'type', 'uid', 'access', 'url'],
        properties: {
          orgId,
          orgName: scalarString,
          version: { type: 'integer', minimum: 0 },
          name: { type: 'string', minLength: 1 },
          type: { type: 'string', minLength: 1 },
          access: { enum: ['proxy', 'direct'] },
          url: { type: 'string', pattern: '^https?://' },
          user: scalarString,
          database: scalarString,
          basicAuth: bool,
          basicAuthUser: scalarString,
          withCredentials: bool,
          isDefault: bool,
          correlations: { type: 'array', items: { type: 'object' } },
          jsonData: { type: 'object' },
          secureJsonData: { type: 'object', additionalProperties: scalarString },
          editable: bool,
          uid,
        },
        allOf: Object.entries(jsonDataByType).map(([type, jsonData]) => ({
          if: { properties: { type: { const: type } }, required: ['type'] },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then
          then: { properties: { jsonData } },
        })),
      },
    },
    deleteDatasources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1 }, orgId, orgName: scalarString },
      },
    },
  },
} as const;

export const dashboardProvisioningSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'providers'],
  properties: {
    apiVersion: { const: 1 },
    providers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type', 'options'],
        properties: {
          name: { type: 'string', minLength: 1 },
          // the only reader dashboards.go starts; Grafana defaults an empty type to it
          type: { const: 'file' },
          orgId,
          folder: scalarString,
          folderUid: uid,
          editable: bool,
          disableDeletion: bool,
          // 0 means Grafana's default (10 s)
          updateIntervalSeconds: { type: 'integer', minimum: 1 },
          allowUiUpdates: bool,
          options: {
            type: 'object',
            additionalProperties: false,
            // file_reader.go: "failed to load dashboards, path param is not a string" without it
            required: ['path'],
            properties: {
              path: { type: 'string', pattern: '^/' },
              foldersFromFilesStructure: bool,
            },
          },
        },
      },
    },
  },
} as const;

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '/';
    if (e.keyword === 'additionalProperties')
      return `${where}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    return `${where}: ${e.message}${e.keyword === 'enum' ? ` ${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)}` : ''}`;
  });
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateDatasourceSchema = ajv.compile(datasourceProvisioningSchema);
const validateDashboardProviderSchema = ajv.compile(dashboardProvisioningSchema);

export interface ProvisionedDatasource {
  name: string;
  type: string;
  uid: string;
  access: string;
  url: string;
  isDefault?: boolean;
  orgId?: number;
  jsonData?: Record<string, unknown>;
}

export interface DatasourceProvisioning {
  apiVersion: number;
  datasources: ProvisionedDatasource[];
  deleteDatasources?: { name: string; orgId?: number }[];
}

export interface DashboardProvider {
  name: string;
  type: string;
  orgId?: number;
  folder?: string;
  folderUid?: string;
  options: { path: string; foldersFromFilesStructure?: boolean };
}

export interface DashboardProvisioning {
  apiVersion: number;
  providers: DashboardProvider[];
}

/** Problems Grafana 12.2 would fail on or silently ignore in a datasources provisioning document. */
export function checkDatasourceProvisioning(doc: unknown): string[] {
  if (!validateDatasourceSchema(doc)) return formatErrors(validateDatasourceSchema.errors);
  const problems: string[] = [];
  const cfg = doc as unknown as DatasourceProvisioning;
  const defaults = new Map<number, string[]>();
  const seen = { name: new Set<string>(), uid: new Set<string>() };
  for (const ds of cfg.datasources) {
    const org = ds.orgId ?? 1;
    if (ds.isDefault) defaults.set(org, [...(defaults.get(org) ?? []), ds.name]);
    for (const key of ['name', 'uid'] as const) {
      if (seen[key].has(`${org}/${ds[key]}`)) problems.push(`two datasources with ${key} "${ds[key]}"`);
      seen[key].add(`${org}/${ds[key]}`);
    }
  }
  for (const [org, names] of defaults)
    if (names.length > 1)
      problems.push(`org ${org} has ${names.length} default datasources: ${names.join(', ')}`);
  // jsonData.alertmanagerUid names the Alertmanager a Prometheus datasource's alerts go to.
  for (const ds of cfg.datasources) {
    const am = ds.jsonData?.alertmanagerUid;
    if (typeof am === 'string' && !cfg.datasources.some((d) => d.uid === am && d.type === 'alertmanager'))
      problems.push(`${ds.name}: jsonData.alertmanagerUid "${am}" is no provisioned alertmanager datasource`);
  }
  return problems;
}

/** Problems Grafana 12.2 would fail on or silently ignore in a dashboards provisioning document. */
export function checkDashboardProvisioning(doc: unknown): string[] {
  if (!validateDashboardProviderSchema(doc)) return formatErrors(validateDashboardProviderSchema.errors);
  const problems: string[] = [];
  const names = new Set<string>();
  for (const p of (doc as unknown as DashboardProvisioning).providers) {
    if (names.has(p.name)) problems.push(`dashboard name "${p.name}" is not unique`);
    names.add(p.name);
    // Grafana's docs: with foldersFromFilesStructure, folder and folderUid must be left out.
    if (p.options.foldersFromFilesStructure && (p.folder || p.folderUid))
      problems.push(`${p.name}: foldersFromFilesStructure with folder/folderUid set`);
  }
  return problems;
}

// ------------------------------------------------------------------ dashboards

export interface DatasourceRefJson {
  type?: string;
  uid?: string;
}

export interface VariableJson {
  name: string;
  type: string;
  query?: string | { query?: string; [key: string]: unknown };
  definition?: string;
  datasource?: DatasourceRefJson | string | null;
  regex?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  current?: { text?: unknown; value?: unknown };
}

export interface TargetJson {
  refId?: string;
  expr?: string;
  datasource?: DatasourceRefJson | string | null;
  [key: string]: unknown;
}

export interface PanelJson {
  type?: string;
  title?: string;
  datasource?: DatasourceRefJson | string | null;
  targets?: TargetJson[];
  panels?: PanelJson[];
  repeat?: string;
  [key: string]: unknown;
}

export interface DashboardJson {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: PanelJson[];
  templating?: { list?: VariableJson[] };
  annotations?: { list?: { name?: string; datasource?: DatasourceRefJson | string | null }[] };
  [key: string]: unknown;
}

/** Every *.json under dir, recursively, relative to it: what Grafana's file provider loads. */
export function dashboardFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory())
      out.push(...dashboardFiles(path.join(dir, entry.name)).map((f) => path.join(entry.name, f)));
    else if (entry.name.endsWith('.json')) out.push(entry.name);
  }
  return out.sort();
}

export function loadDashboards(dir: string): { file: string; dashboard: DashboardJson }[] {
  return dashboardFiles(dir).map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as DashboardJson,
  }));
}

/** A schemaVersion problem for Grafana 12.2, or undefined when it migrates the dashboard. */
export function checkSchemaVersion(dashboard: DashboardJson): string | undefined {
  const v = dashboard.schemaVersion;
  if (typeof v !== 'number' || !Number.isInteger(v))
    return `schemaVersion ${JSON.stringify(v)} is not an integer`;
  if (v < GRAFANA_MIN_SCHEMA_VERSION)
    return `schemaVersion ${v} < ${GRAFANA_MIN_SCHEMA_VERSION}, the oldest Grafana 12.2 migrates`;
  if (v > GRAFANA_LATEST_SCHEMA_VERSION)
    return `schemaVersion ${v} > ${GRAFANA_LATEST_SCHEMA_VERSION}, the newest Grafana 12.2 knows`;
  return undefined;
}

/** Panels, the panels of rows included. */
export function allPanels(dashboard: DashboardJson): PanelJson[] {
  const out: PanelJson[] = [];
  for (const p of dashboard.panels ?? []) {
    out.push(p);
    if (p.type === 'row') out.push(...(p.panels ?? []));
  }
  return out;
}

export interface DatasourceRefUse {
  where: string;
  ref: DatasourceRefJson | string | null | undefined;
  /** what the reference must be able to answer: PromQL needs a prometheus datasource */
  needsType?: string;
}

/** Every datasource reference of a dashboard: panels, their targets, variables, annotations. */
export function datasourceRefs(dashboard: DashboardJson): DatasourceRefUse[] {
  const refs: DatasourceRefUse[] = [];
  for (const panel of allPanels(dashboard)) {
    if (panel.type === 'row' && panel.datasource === undefined) continue;
    const where = `panel "${panel.title ?? ''}"`;
    const promql = (panel.targets ?? []).some((t) => typeof t.expr === 'string');
    refs.push({ where, ref: panel.datasource, ...(promql ? { needsType: 'prometheus' } : {}) });
    // A target without its own datasource uses the panel's.
    for (const t of panel.targets ?? [])
      if (t.datasource !== undefined)
        refs.push({
          where: `${where} target ${t.refId ?? ''}`,
          ref: t.datasource,
          ...(typeof t.expr === 'string' ? { needsType: 'prometheus' } : {}),
        });
  }
  for (const v of dashboard.templating?.list ?? [])
    if (v.type === 'query' || v.type === 'adhoc' || v.datasource !== undefined)
      refs.push({ where: `variable ${v.name}`, ref: v.datasource });
  for (const a of dashboard.annotations?.list ?? [])
    refs.push({ where: `annotation "${a.name ?? ''}"`, ref: a.datasource });
  return refs;
}

const BUILTIN_UIDS = new Set(['grafana', '-- Grafana --', '-- Mixed --', '-- Dashboard --']);
const VARIABLE_REF = /^\$\{(\w+)(?::\w+)?\}$|^\$(\w+)$|^\[\[(\w+)\]\]$/;

/**
 * Why a datasource reference would not resolve on the provisioned Grafana (undefined: it resolves).
 * A reference is a {type, uid} object, or (dashboards before schemaVersion 33) a datasource name;
 * either may be a `${var}` of a datasource variable, whose `query` is the plugin type it lists.
 * None means the default datasource.
 */
export function resolveDatasourceRef(
  use: DatasourceRefUse,
  dashboard: DashboardJson,
  datasources: ProvisionedDatasource[],
): string | undefined {
  const { ref, needsType } = use;
  const typeOk = (type: string) =>
    needsType === undefined || type === needsType
      ? undefined
      : `resolves to a ${type} datasource, needs ${needsType}`;
  if (ref === null || ref === undefined) {
    const def = datasources.find((d) => d.isDefault);
    return def ? typeOk(def.type) : 'no datasource given and none is provisioned as default';
  }
  const uidOrName = typeof ref === 'string' ? ref : ref.uid;
  const declaredType = typeof ref === 'string' ? undefined : ref.type;
  if (uidOrName === undefined || uidOrName === '') {
    // {type} alone: Grafana takes the default datasource... of that type, or the first of it.
    const ds =
      datasources.find((d) => d.type === declaredType && d.isDefault) ??
      datasources.find((d) => d.type === declaredType);
    return ds ? typeOk(ds.type) : `no provisioned datasource of type ${declaredType}`;
  }
  if (BUILTIN_UIDS.has(uidOrName) || declaredType === 'datasource') return undefined;
  const m = VARIABLE_REF.exec(uidOrName);
  if (m) {
    const name = (m[1] ?? m[2] ?? m[3]) as string;
    const variable = dashboard.templating?.list?.find((v) => v.name === name);
    if (!variable) return `\${${name}} names no variable of the dashboard`;
    if (variable.type !== 'datasource')
      return `\${${name}} is a ${variable.type} variable, not a datasource variable`;
    const pluginType = typeof variable.query === 'string' ? variable.query : undefined;
    if (!pluginType) return `datasource variable ${name} has no plugin type in query`;
    if (declaredType !== undefined && declaredType !== pluginType)
      return `declares type ${declaredType}, variable ${name} lists ${pluginType} datasources`;
    const candidates = datasources.filter((d) => d.type === pluginType);
    if (candidates.length === 0)
      return `variable ${name} lists ${pluginType} datasources and none is provisioned`;
    const current = variable.current?.value;
    if (
      typeof current === 'string' &&
      current !== '' &&
      current !== 'default' &&
      !candidates.some((d) => d.uid === current || d.name === current)
    )
      return `variable ${name} defaults to "${current}", no provisioned ${pluginType} datasource`;
    return typeOk(pluginType);
  }
  const ds = datasources.find((d) =>
    typeof ref === 'string' ? d.name === ref || d.uid === ref : d.uid === ref.uid,
  );
  if (!ds) return `${typeof ref === 'string' ? 'name' : 'uid'} "${uidOrName}" is no provisioned datasource`;
  if (declaredType !== undefined && declaredType !== ds.type)
    return `declares type ${declaredType}, datasource "${uidOrName}" is ${ds.type}`;
  return typeOk(ds.type);
}

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

/** The provisioning files, parsed. */
export function loadGrafanaProvisioning(grafanaDir: string): {
  datasources: DatasourceProvisioning;
  dashboards: DashboardProvisioning;
} {
  const read = (kind: string) =>
    parse(readFileSync(path.join(grafanaDir, 'provisioning', kind, 'reelwatch.yml'), 'utf8')) as unknown;
  return {
    datasources: read('datasources') as DatasourceProvisioning,
    dashboards: read('dashboards') as DashboardProvisioning,
  };
}
