import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { rewritePrometheusConfig } from '../../src/native/prometheus-config';
import { REPO_ROOT } from '../support';

const REPO_CONFIG = readFileSync(path.join(REPO_ROOT, 'prometheus', 'prometheus.yml'), 'utf8');

interface Config {
  global: Record<string, string>;
  rule_files: string[];
  alerting?: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: {
    job_name: string;
    honor_labels?: boolean;
    static_configs: { targets: string[] }[];
    dns_sd_configs?: unknown;
  }[];
}

describe('rewritePrometheusConfig', () => {
  it("turns the repo's Docker DNS targets into local ones, keeping every job's other settings and the rules", () => {
    const config = parse(
      rewritePrometheusConfig(REPO_CONFIG, {
        targets: { prometheus: ['127.0.0.1:1'], ingestion: ['127.0.0.1:2'], pushgateway: ['127.0.0.1:3'] },
        alertmanager: '127.0.0.1:4',
        intervalSec: 2,
      }),
    ) as Config;
    expect(config.scrape_configs.map((j) => [j.job_name, j.static_configs[0]?.targets])).toEqual([
      ['prometheus', ['127.0.0.1:1']],
      ['pushgateway', ['127.0.0.1:3']],
      ['ingestion', ['127.0.0.1:2']],
    ]);
    expect(config.scrape_configs.find((j) => j.job_name === 'ingestion')?.dns_sd_configs).toBeUndefined();
    expect(config.scrape_configs.find((j) => j.job_name === 'pushgateway')?.honor_labels).toBe(true);
    expect(config.alerting?.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['127.0.0.1:4']);
    expect(config.global).toMatchObject({ scrape_interval: '2s', evaluation_interval: '2s' });
    expect(config.rule_files).toEqual(['rules/*.yml']);
  });

  it('drops alerting when no Alertmanager runs', () => {
    const config = parse(
      rewritePrometheusConfig(REPO_CONFIG, { targets: { prometheus: ['127.0.0.1:1'] } }),
    ) as Config;
    expect(config.alerting).toBeUndefined();
  });
});
