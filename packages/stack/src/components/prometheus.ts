import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MINIMAL_PROMETHEUS_CONFIG, rewritePrometheusConfig } from '../native/prometheus-config';
import type { NativeSettings } from '../native/settings';
import { repoPaths } from '../paths';
import { probeHttp } from '../probes';
import type { StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, HOST, port, requireBinary, url } from './support';

/** Scrape targets of the running topology, by Prometheus job name (= component name). */
export function scrapeTargets(
  s: NativeSettings,
  running: Set<string>,
  all: readonly StackComponent[],
): Record<string, string[]> {
  const targets: Record<string, string[]> = {};
  for (const c of all) if (c.scraped && running.has(c.name)) targets[c.name] = [`${HOST}:${port(s, c.name)}`];
  return targets;
}

function copyRules(from: string, to: string): void {
  for (const old of readdirSync(to)) rmSync(path.join(to, old), { force: true });
  if (!existsSync(from)) return;
  for (const file of readdirSync(from).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')))
    copyFileSync(path.join(from, file), path.join(to, file));
}

export const prometheus: StackComponent = {
  name: 'prometheus',
  description: "Prometheus with the repo's prometheus.yml (targets rewritten to local ports) and rules",
  compose: { port: 9090, published: 'PROMETHEUS_PORT', environment: [], healthcheck: true },
  nativePort: 9090,
  scraped: true,
  docs: { label: 'Prometheus' },
  binaries: [{ binary: 'prometheus', debianPackage: 'prometheus' }],
  prepare(s, rt, all) {
    const paths = repoPaths(s.root);
    const dir = ensureDir(componentDir(s, 'prometheus'));
    copyRules(paths.rulesDir, ensureDir(path.join(dir, 'rules')));
    const running = new Set(all.map((c) => c.name).filter((name) => rt.skipped[name] === undefined));
    const source = existsSync(paths.prometheusConfig)
      ? readFileSync(paths.prometheusConfig, 'utf8')
      : MINIMAL_PROMETHEUS_CONFIG;
    const config = rewritePrometheusConfig(source, {
      targets: scrapeTargets(s, running, all),
      ...(running.has('alertmanager') ? { alertmanager: `${HOST}:${port(s, 'alertmanager')}` } : {}),
      intervalSec: s.scrapeIntervalSec,
    });
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
  },
  launch: (s) => ({
    command: requireBinary(s, 'prometheus'),
    args: [
      `--config.file=${path.join(componentDir(s, 'prometheus'), 'prometheus.yml')}`,
      `--storage.tsdb.path=${ensureDir(path.join(componentDir(s, 'prometheus'), 'data'))}`,
      `--web.listen-address=${HOST}:${port(s, 'prometheus')}`,
      '--web.enable-lifecycle',
      '--storage.tsdb.retention.time=15d',
    ],
    env: baseEnv(s, componentDir(s, 'prometheus')),
    cwd: componentDir(s, 'prometheus'),
  }),
  health: (s) => probeHttp(url(port(s, 'prometheus'), '/-/ready')),
  urls: (s) => [
    { name: 'prometheus', url: url(port(s, 'prometheus')), note: 'targets: /targets, alerts: /alerts' },
  ],
};
