import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProvisionedDatasource } from './provisioning';

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
