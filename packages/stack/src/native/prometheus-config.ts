import { parse, stringify } from 'yaml';

interface ScrapeConfig {
  job_name: string;
  [key: string]: unknown;
}

interface PrometheusConfig {
  global?: Record<string, unknown>;
  scrape_configs?: ScrapeConfig[];
  alerting?: unknown;
  rule_files?: string[];
  [key: string]: unknown;
}

/**
 * The repo's prometheus.yml for the native topology: Docker's DNS names (and dns_sd_configs, which
 * need them) are replaced by static 127.0.0.1 targets. Jobs with no running component are dropped
 * (a component that is not installed is not a target down); the intervals can be shortened.
 */
export function rewritePrometheusConfig(
  configText: string,
  options: { targets: Record<string, string[]>; alertmanager?: string; intervalSec?: number },
): string {
  const config = (parse(configText) ?? {}) as PrometheusConfig;
  config.scrape_configs = (config.scrape_configs ?? [])
    .filter((job) => options.targets[job.job_name] !== undefined)
    .map((job) => {
      const { dns_sd_configs: _dns, static_configs: _static, file_sd_configs: _file, ...rest } = job;
      return { ...rest, static_configs: [{ targets: options.targets[job.job_name] ?? [] }] };
    });
  const known = new Set(config.scrape_configs.map((job) => job.job_name));
  for (const [job, targets] of Object.entries(options.targets)) {
    if (!known.has(job)) config.scrape_configs.push({ job_name: job, static_configs: [{ targets }] });
  }
  if (options.alertmanager)
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] };
  else delete config.alerting;
  if (options.intervalSec !== undefined) {
    config.global = {
      ...(config.global ?? {}),
      scrape_interval: `${options.intervalSec}s`,
      evaluation_interval: `${options.intervalSec}s`,
    };
  }
  return stringify(config);
}

/** Used when the checkout has no prometheus/prometheus.yml yet: every job, no rules. */
export const MINIMAL_PROMETHEUS_CONFIG = `global:
  scrape_interval: 15s
  evaluation_interval: 15s
rule_files:
  - rules/*.yml
scrape_configs: []
`;
