import { parse } from 'yaml';

interface PrometheusConfig {
  scrape_configs?: { job_name: string }[];
}

/** The job names of a prometheus.yml, in order. */
export function scrapeJobNames(configText: string): string[] {
  const config = parse(configText) as PrometheusConfig;
  return (config.scrape_configs ?? []).map((job) => job.job_name);
}
