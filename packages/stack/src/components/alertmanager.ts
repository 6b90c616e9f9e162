import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NativeSettings } from '../native/settings';
import { probeHttp } from '../probes';
import type { StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, HOST, port, requireBinary, url } from './support';

/** The repo's Alertmanager config with the alert-sink address made local (or a log-less default). */
export function alertmanagerConfig(s: NativeSettings, sinkRunning: boolean): string {
  const file = path.join(s.root, 'compose', 'alertmanager', 'alertmanager.yml');
  if (sinkRunning && existsSync(file))
    return readFileSync(file, 'utf8').replace(/http:\/\/alert-sink:\d+/g, url(port(s, 'alert-sink')));
  return 'route:\n  receiver: default\nreceivers:\n  - name: default\n';
}

export const alertmanager: StackComponent = {
  name: 'alertmanager',
  description: 'Prometheus Alertmanager',
  compose: { port: 9093, published: 'ALERTMANAGER_PORT', environment: [], healthcheck: true },
  nativePort: 9093,
  scraped: true,
  docs: { label: 'Alertmanager' },
  binaries: [{ binary: 'prometheus-alertmanager', debianPackage: 'prometheus-alertmanager' }],
  optional: true,
  prepare(s, rt) {
    const dir = ensureDir(componentDir(s, 'alertmanager'));
    writeFileSync(
      path.join(dir, 'alertmanager.yml'),
      alertmanagerConfig(s, rt.skipped['alert-sink'] === undefined),
    );
  },
  launch: (s) => ({
    command: requireBinary(s, 'prometheus-alertmanager'),
    args: [
      `--config.file=${path.join(componentDir(s, 'alertmanager'), 'alertmanager.yml')}`,
      `--storage.path=${ensureDir(path.join(componentDir(s, 'alertmanager'), 'data'))}`,
      `--web.listen-address=${HOST}:${port(s, 'alertmanager')}`,
      // no gossip: a single local Alertmanager must not grab :9094 or look for peers
      '--cluster.listen-address=',
    ],
    env: baseEnv(s, componentDir(s, 'alertmanager')),
    cwd: componentDir(s, 'alertmanager'),
  }),
  health: (s) => probeHttp(url(port(s, 'alertmanager'), '/-/ready')),
  urls: (s) => [{ name: 'alertmanager', url: url(port(s, 'alertmanager')) }],
};
