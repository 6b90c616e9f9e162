import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listPanelQueries } from '@reelwatch/dashboards';
import { rewritePrometheusConfig } from '@reelwatch/stack';
import { alertTestCoverage, loadRules, scrapeJobNames, stackPaths } from '@reelwatch/stack-config';
import { parse } from 'yaml';
import { promtool } from './promtool';

const paths = stackPaths(path.resolve(__dirname, '../../..'));
const prometheusDir = path.dirname(paths.prometheusConfig);
const ruleFiles = readdirSync(paths.rulesDir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => path.join('rules', f));
const testFiles = readdirSync(paths.ruleTestsDir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => path.join('tests', f));
const alerts = loadRules(paths.rulesDir).filter((r) => r.kind === 'alert');

// Job names = Compose service names (BRIEF.md).
const JOBS = [
  'prometheus',
  'alertmanager',
  'pushgateway',
  'event-producer',
  'ingestion',
  'pg-exporter',
  'kafka-exporter',
  'task-monitor',
  'task-worker',
];

describe('prometheus configuration', () => {
  test('promtool check config accepts prometheus.yml and the rule files it loads', () => {
    const result = promtool(['check', 'config', 'prometheus.yml'], prometheusDir);
    expect(result.output).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(result.output).toContain(`SUCCESS: ${ruleFiles.length} rule files found`);
    expect(result.status).toBe(0);
  });

  test('prometheus.yml scrapes every agreed job, Pushgateway with honor_labels, and sends alerts to Alertmanager', () => {
    const text = readFileSync(paths.prometheusConfig, 'utf8');
    expect(scrapeJobNames(text).sort()).toEqual([...JOBS].sort());
    const config = parse(text) as {
      scrape_configs: { job_name: string; honor_labels?: boolean }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
      rule_files: string[];
    };
    expect(config.scrape_configs.find((j) => j.job_name === 'pushgateway')?.honor_labels).toBe(true);
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['alertmanager:9093']);
    expect(config.rule_files).toEqual(['rules/*.yml']);
  });

  test('rewritePrometheusConfig (@reelwatch/stack) points every job at local ports and keeps the rest of the config', () => {
    const text = readFileSync(paths.prometheusConfig, 'utf8');
    const rewritten = rewritePrometheusConfig(text, {
      targets: { ingestion: ['127.0.0.1:4001', '127.0.0.1:4002'], pushgateway: ['127.0.0.1:4003'] },
      alertmanager: '127.0.0.1:4004',
    });
    const config = parse(rewritten) as {
      scrape_configs: {
        job_name: string;
        honor_labels?: boolean;
        static_configs: { targets: string[] }[];
        dns_sd_configs?: unknown;
      }[];
      alerting: unknown;
      rule_files: string[];
    };
    expect(config.scrape_configs.map((j) => j.job_name)).toEqual(['pushgateway', 'ingestion']);
    expect(config.scrape_configs[1]).toEqual({
      job_name: 'ingestion',
      static_configs: [{ targets: ['127.0.0.1:4001', '127.0.0.1:4002'] }],
    });
    expect(config.scrape_configs[0]?.honor_labels).toBe(true);
    expect(config.alerting).toEqual({
      alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:4004'] }] }],
    });
    expect(config.rule_files).toEqual(['rules/*.yml']);
  });
});

describe('prometheus rules', () => {
  test('promtool check rules accepts every rule file', () => {
    const result = promtool(['check', 'rules', ...ruleFiles], prometheusDir);
    expect(result.output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });

  test('promtool test rules passes every rule unit test', () => {
    const result = promtool(['test', 'rules', ...testFiles], prometheusDir);
    expect(result.output).not.toContain('FAILED');
    expect(result.output.match(/SUCCESS/g)?.length).toBe(testFiles.length);
    expect(result.status).toBe(0);
  });

  test('a rule unit test expecting the wrong alert fails (the unit tests can fail)', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'reelwatch-ruletest-'));
    try {
      const file = path.join(tmp, 'wrong.test.yml');
      writeFileSync(
        file,
        JSON.stringify({
          rule_files: [path.join(paths.rulesDir, 'targets.yml')],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: [{ series: 'up{job="ingestion",instance="a:1"}', values: '1x10' }],
              alert_rule_test: [
                {
                  eval_time: '8m',
                  alertname: 'ReelwatchTargetDown',
                  exp_alerts: [{ exp_labels: { severity: 'warning' } }],
                },
              ],
            },
          ],
        }),
      );
      const result = promtool(['test', 'rules', file], tmp);
      expect(result.output).toContain('FAILED');
      expect(result.status).not.toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('every alert has a unit test that fires it on bad series and one that keeps it quiet on healthy ones', () => {
    const coverage = alertTestCoverage(paths.ruleTestsDir);
    const names = alerts.map((a) => a.name);
    expect(names.length).toBeGreaterThanOrEqual(16);
    expect(names.filter((n) => !coverage.fires.has(n))).toEqual([]);
    expect(names.filter((n) => !coverage.quiet.has(n))).toEqual([]);
    // no test names an alert that does not exist
    expect([...coverage.fires, ...coverage.quiet].filter((n) => !names.includes(n))).toEqual([]);
  });

  test('the alerts the issues ask for exist', () => {
    expect(alerts.map((a) => a.name).sort()).toEqual(
      [
        'ReelwatchIngestionStalled',
        'ReelwatchConsumerLagGrowing',
        'ReelwatchDataLostToRetention',
        'ReelwatchIngestionBatchLatencyHigh',
        'ReelwatchDeadLettersAppearing',
        'ReelwatchTargetDown',
        'ReelwatchServiceRestarted',
        'PostgreSQLDown',
        'PostgreSQLRestarted',
        'PostgreSQLReplicationLagHigh',
        'PostgreSQLConnectionsNearLimit',
        'PostgreSQLDeadlocks',
        'PostgreSQLRollbackRatioHigh',
        'PostgreSQLExporterErrors',
        'ReelwatchTrainingSnapshotStale',
        'TaskWorkerOffline',
        'TaskBrokerRestarted',
        'TaskFailureRatioHigh',
        'TaskWaitTimeHigh',
        'TaskBacklogGrowing',
        'KafkaClusterUnreachable',
        'KafkaUnderReplicatedPartitions',
        'KafkaConsumerGroupLagGrowing',
        'KafkaCommittedAheadOfStoredOffsets',
      ].sort(),
    );
    expect(alerts.find((a) => a.name === 'PostgreSQLReplicationLagHigh')?.expr).toContain(
      'pg_replication_lag_seconds',
    );
  });

  test.each(alerts.map((a) => [a.name, a] as const))(
    '%s has a severity and summary and description annotations',
    (_name, alert) => {
      expect(['critical', 'warning', 'info']).toContain(alert.labels.severity);
      expect(alert.annotations.summary?.length ?? 0).toBeGreaterThan(10);
      expect(alert.annotations.description?.length ?? 0).toBeGreaterThan(40);
    },
  );

  test('every recording rule a dashboard queries is defined', () => {
    const recorded = new Set(
      loadRules(paths.rulesDir)
        .filter((r) => r.kind === 'record')
        .map((r) => r.name),
    );
    const used = new Set<string>();
    for (const q of listPanelQueries())
      for (const m of q.expr.matchAll(/[a-z_]+:[a-z0-9_]+:[a-z0-9_]+/g)) used.add(m[0]);
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((name) => !recorded.has(name))).toEqual([]);
  });
});
