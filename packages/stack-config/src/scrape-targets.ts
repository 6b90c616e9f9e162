import { parse, stringify } from 'yaml';

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  dns_sd_configs?: unknown[];
  [key: string]: unknown;
}

interface PrometheusConfig {
  scrape_configs?: ScrapeConfig[];
  alerting?: { alertmanagers?: { static_configs?: { targets: string[] }[] }[] };
  [key: string]: unknown;
}

/** The job names of a prometheus.yml, in order. */
export function scrapeJobNames(configText: string): string[] {
  const config = parse(configText) as PrometheusConfig;
  return (config.scrape_configs ?? []).map((job) => job.job_name);
}

/**
 * prometheus.yml with every job's service discovery replaced by static targets (the native
 * topology: Docker's DNS names do not resolve outside Compose). Jobs missing from `targets` are
 * dropped, so a partial topology does not show up as targets down. `alertmanager` (if given)
 * replaces the Alertmanager address; without it alerting is removed.
 */
export function rewriteScrapeTargets(
  configText: string,
  targets: Record<string, string[]>,
  options: { alertmanager?: string } = {},
): string {
  const config = parse(configText) as PrometheusConfig;
  config.scrape_configs = (config.scrape_configs ?? [])
    .filter((job) => targets[job.job_name] !== undefined)
    .map((job) => {
      const { dns_sd_configs: _dns, static_configs: _static, ...rest } = job;
      return { ...rest, static_configs: [{ targets: targets[job.job_name] ?? [] }] };
    });
  if (options.alertmanager)
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] };
  else delete config.alerting;
  return stringify(config);
}
