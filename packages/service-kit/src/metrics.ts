import { collectDefaultMetrics, type Metric, Registry, type RegistryContentType } from 'prom-client';

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;
export type ExpositionFormat = 'prometheus' | 'openmetrics';

export interface MetricsRegistryOptions {
  service: string;
  /** prom-client's default process and Node.js metrics (default true). */
  defaultMetrics?: boolean;
  /** More default labels on every series; `service` always wins. */
  labels?: Record<string, string>;
}

/**
 * A service's own Registry (never prom-client's global one) with prom-client's default metrics under
 * their usual names (process_cpu_seconds_total, nodejs_eventloop_lag_seconds, ...), so community
 * dashboards such as grafana.com 11159 work unchanged, and the default label service=<name>.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ ...options.labels, service: options.service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Renders a registry in either exposition format without touching the registry itself.
 *
 * Why not registry.setContentType() + metrics(): prom-client 15 renders OpenMetrics by renaming every
 * counter in place (`metric.name = name.replace(/_total$/, '')`), so after one OpenMetrics scrape
 * the text format would lose `_total`, and switching the content type of a shared registry races
 * between concurrent scrapes. Instead each render builds a throwaway registry view whose metrics are
 * prototype-linked to the real ones: renames land on the view, values are read from the originals.
 */
export async function renderMetrics(
  registry: Registry<RegistryContentType>,
  format: ExpositionFormat,
): Promise<string> {
  const view = new Registry<RegistryContentType>();
  view.setContentType(format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE);
  const defaultLabels = (registry as unknown as { _defaultLabels?: Record<string, string> })._defaultLabels;
  if (defaultLabels && Object.keys(defaultLabels).length > 0) view.setDefaultLabels({ ...defaultLabels });
  for (const metric of registry.getMetricsAsArray()) {
    view.registerMetric(Object.create(metric) as Metric);
  }
  return view.metrics();
}

/**
 * The format a scraper asked for in its Accept header: OpenMetrics when it prefers
 * application/openmetrics-text (Prometheus sends it with q=1 by default), otherwise text 0.0.4.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  let openMetrics = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const weight = Number.isFinite(q) ? q : 0;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, weight);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, weight);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}
