import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROMETHEUS_UID } from '@reelwatch/dashboards';
import { loadComposeFile, stackPaths } from '@reelwatch/stack-config';
import { parse } from 'yaml';

const paths = stackPaths(path.resolve(__dirname, '../../..'));
const provisioning = path.join(paths.grafanaDir, 'provisioning');

describe('grafana provisioning', () => {
  test('provisions Prometheus with the fixed uid the dashboards default to, and Alertmanager', () => {
    const doc = parse(readFileSync(path.join(provisioning, 'datasources', 'reelwatch.yml'), 'utf8')) as {
      apiVersion: number;
      datasources: { uid: string; type: string; url: string; isDefault?: boolean }[];
    };
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources.map((d) => [d.uid, d.type, d.url])).toEqual([
      [PROMETHEUS_UID, 'prometheus', 'http://prometheus:9090'],
      ['alertmanager', 'alertmanager', 'http://alertmanager:9093'],
    ]);
    expect(doc.datasources[0]?.isDefault).toBe(true);
  });

  test('the dashboards provider reads the mounted folder and makes its sub-folders Grafana folders', () => {
    const doc = parse(readFileSync(path.join(provisioning, 'dashboards', 'reelwatch.yml'), 'utf8')) as {
      providers: { type: string; options: { path: string; foldersFromFilesStructure: boolean } }[];
    };
    const provider = doc.providers[0];
    expect(provider?.type).toBe('file');
    expect(provider?.options.foldersFromFilesStructure).toBe(true);
    const grafana = loadComposeFile(paths.composeFile).services.grafana as { volumes: string[] };
    expect(grafana.volumes).toContain(`../grafana/dashboards:${provider?.options.path}:ro`);
    expect(grafana.volumes).toContain('../grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(existsSync(path.join(paths.grafanaDir, 'dashboards', 'reelwatch', 'pipeline-overview.json'))).toBe(
      true,
    );
  });
});
