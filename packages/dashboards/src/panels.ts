// Shared panel defaults: every panel reads Prometheus through the dashboard's `datasource`
// variable, has a description and a unit; queries get refIds A, B, C... in order.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** The provisioned Prometheus datasource's fixed uid (grafana/provisioning/datasources). */
export const PROMETHEUS_UID = 'prometheus';
export const DATASOURCE_VARIABLE = 'datasource';
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .type('prometheus')
    .current({ selected: true, text: 'Prometheus', value: PROMETHEUS_UID });
}

/** A multi-value query variable over a label's values, "All" selected by default. */
export function labelVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .query(query)
    .datasource(DATASOURCE)
    .current({ selected: true, text: 'All', value: '$__all' })
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
}

export interface Query {
  expr: string;
  legend?: string;
  /** an instant query (tables, stats of "now") */
  instant?: boolean;
}

function queryBuilder(query: Query, index: number): prometheus.DataqueryBuilder {
  const builder = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(String.fromCharCode(65 + index))
    .expr(query.expr)
    .legendFormat(query.legend ?? '__auto');
  if (query.instant) builder.instant().format(prometheus.PromQueryFormat.Table);
  else builder.range();
  return builder;
}

export interface PanelSpec {
  title: string;
  description: string;
  /** a unit from @grafana/grafana-foundation-sdk/units */
  unit: string;
  queries: Query[];
  /** grid width (of 24) and height */
  span?: number;
  height?: number;
  min?: number;
  max?: number;
  decimals?: number;
  /** repeat the panel for every selected value of this variable, side by side */
  repeat?: string;
}

function place<T extends { span(w: number): T; height(h: number): T }>(
  builder: T,
  spec: PanelSpec,
  span: number,
  height: number,
): T {
  return builder.span(spec.span ?? span).height(spec.height ?? height);
}

export function timeseries(spec: PanelSpec): TimeseriesBuilder {
  const builder = new TimeseriesBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .drawStyle(common.GraphDrawStyle.Line)
    .spanNulls(false)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .placement(common.LegendPlacement.Bottom)
        .displayMode(common.LegendDisplayMode.List),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  spec.queries.forEach((q, i) => {
    builder.withTarget(queryBuilder(q, i));
  });
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  if (spec.decimals !== undefined) builder.decimals(spec.decimals);
  if (spec.repeat) builder.repeat(spec.repeat).repeatDirection('h').maxPerRow(2);
  return place(builder, spec, 12, 8);
}

export function stat(spec: PanelSpec & { thresholds?: { value: number; color: string }[] }): StatBuilder {
  const builder = new StatBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .thresholds(
      new dashboard.ThresholdsConfigBuilder()
        .mode(dashboard.ThresholdsMode.Absolute)
        .steps([{ value: null, color: 'green' }, ...(spec.thresholds ?? [])]),
    );
  spec.queries.forEach((q, i) => {
    builder.withTarget(queryBuilder(q, i));
  });
  if (spec.decimals !== undefined) builder.decimals(spec.decimals);
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  if (spec.repeat) builder.repeat(spec.repeat).repeatDirection('h').maxPerRow(2);
  return place(builder, spec, 4, 4);
}

export function table(spec: PanelSpec): TableBuilder {
  const builder = new TableBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .showHeader(true);
  spec.queries.forEach((q, i) => {
    builder.withTarget(queryBuilder({ ...q, instant: true }, i));
  });
  if (spec.repeat) builder.repeat(spec.repeat).repeatDirection('h').maxPerRow(2);
  return place(builder, spec, 12, 8);
}

export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title);
}

/** Dashboard-wide defaults: time range, refresh, the datasource variable, links to the others. */
export function baseDashboard(title: string, uid: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['reelwatch', 'generated'])
    .readonly()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .link(
      new dashboard.DashboardLinkBuilder('Reelwatch dashboards')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['reelwatch'])
        .asDropdown(true)
        .keepTime(true)
        .includeVars(false),
    )
    .withVariable(datasourceVariable());
}
