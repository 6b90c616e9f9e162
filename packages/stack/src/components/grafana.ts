import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors';
import { findBinary } from '../native/binaries';
import type { NativeSettings } from '../native/settings';
import { type RepoPaths, repoPaths } from '../paths';
import { probeHttp } from '../probes';
import type { StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, HOST, port, url } from './support';

export function grafanaBinary(s: NativeSettings): { command: string; args: string[] } | undefined {
  const grafana = findBinary('grafana', s.env);
  if (grafana) return { command: grafana, args: ['server'] };
  const server = findBinary('grafana-server', s.env);
  return server ? { command: server, args: [] } : undefined;
}

function grafanaHome(binary: string): string {
  if (existsSync('/usr/share/grafana')) return '/usr/share/grafana';
  return path.dirname(path.dirname(binary));
}

/** The repo's provisioning with Compose's addresses made local. */
function copyProvisioning(s: NativeSettings, paths: RepoPaths, provisioning: string): void {
  for (const sub of ['datasources', 'dashboards']) {
    const from = path.join(paths.grafanaProvisioning, sub);
    const to = ensureDir(path.join(provisioning, sub));
    if (!existsSync(from)) continue;
    for (const file of readdirSync(from)) {
      const text = readFileSync(path.join(from, file), 'utf8')
        .replaceAll('http://prometheus:9090', url(port(s, 'prometheus')))
        .replaceAll('http://alertmanager:9093', url(port(s, 'alertmanager')))
        .replaceAll('/etc/grafana/dashboards', paths.grafanaDashboards);
      writeFileSync(path.join(to, file), text);
    }
  }
}

function grafanaIni(s: NativeSettings, paths: RepoPaths, dir: string, provisioning: string): string {
  return [
    '[server]',
    `http_addr = ${HOST}`,
    `http_port = ${port(s, 'grafana')}`,
    '[paths]',
    `data = ${ensureDir(path.join(dir, 'data'))}`,
    `logs = ${ensureDir(path.join(dir, 'logs'))}`,
    `plugins = ${ensureDir(path.join(dir, 'plugins'))}`,
    `provisioning = ${provisioning}`,
    '[security]',
    `admin_user = ${s.env.GRAFANA_ADMIN_USER || 'admin'}`,
    `admin_password = ${s.env.GRAFANA_ADMIN_PASSWORD || 'admin'}`,
    '[users]',
    'allow_sign_up = false',
    '[analytics]',
    'reporting_enabled = false',
    '[dashboards]',
    `default_home_dashboard_path = ${path.join(paths.grafanaDashboards, 'reelwatch', 'pipeline-overview.json')}`,
    '',
  ].join('\n');
}

export const grafana: StackComponent = {
  name: 'grafana',
  description: "Grafana with the repo's provisioning (only when grafana-server or grafana is on PATH)",
  compose: {
    port: 3000,
    published: 'GRAFANA_PORT',
    environment: [
      'GF_SECURITY_ADMIN_USER',
      'GF_SECURITY_ADMIN_PASSWORD',
      'GF_USERS_ALLOW_SIGN_UP',
      'GF_AUTH_ANONYMOUS_ENABLED',
      'GF_AUTH_ANONYMOUS_ORG_ROLE',
      'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH',
      'GF_ANALYTICS_REPORTING_ENABLED',
    ],
    healthcheck: true,
  },
  nativePort: 3000,
  docs: { label: 'Grafana', native: '3000 (only when Grafana is installed)' },
  binaries: [{ binary: 'grafana-server', debianPackage: "grafana (from Grafana Labs' apt repository)" }],
  optional: true,
  unavailable: (s) =>
    grafanaBinary(s)
      ? undefined
      : "no grafana-server or grafana on PATH: dashboards need Grafana; use Prometheus' own UI (/graph, /alerts) meanwhile",
  prepare(s) {
    const paths = repoPaths(s.root);
    const dir = ensureDir(componentDir(s, 'grafana'));
    const provisioning = ensureDir(path.join(dir, 'provisioning'));
    copyProvisioning(s, paths, provisioning);
    writeFileSync(path.join(dir, 'grafana.ini'), grafanaIni(s, paths, dir, provisioning));
  },
  launch(s) {
    const binary = grafanaBinary(s);
    if (!binary) throw new StackError('MISSING_BINARIES', 'grafana not found');
    const dir = componentDir(s, 'grafana');
    return {
      command: binary.command,
      args: [
        ...binary.args,
        `--homepath=${grafanaHome(binary.command)}`,
        `--config=${path.join(dir, 'grafana.ini')}`,
      ],
      env: baseEnv(s, dir),
      cwd: dir,
    };
  },
  health: (s) => probeHttp(url(port(s, 'grafana'), '/api/health')),
  urls: (s) => [
    {
      name: 'grafana',
      url: url(port(s, 'grafana')),
      note: `log in as ${s.env.GRAFANA_ADMIN_USER || 'admin'} / ${s.env.GRAFANA_ADMIN_PASSWORD ? '$GRAFANA_ADMIN_PASSWORD' : 'admin'}`,
    },
  ],
};
