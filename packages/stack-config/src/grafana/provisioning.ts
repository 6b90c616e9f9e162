import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse } from 'yaml';

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
