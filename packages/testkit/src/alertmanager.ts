import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHttpDaemon } from './http-daemon';

export interface AlertmanagerServer {
  url: string;
  port: number;
  destroy(): Promise<void>;
}

/** Routes every alert to a receiver without integrations: alerts are kept and visible in the API. */
export const DEFAULT_ALERTMANAGER_CONFIG = `route:
  receiver: blackhole
  group_wait: 0s
  group_interval: 1s
receivers:
  - name: blackhole
`;

/**
 * Starts Alertmanager (Debian package `prometheus-alertmanager`) on a free 127.0.0.1 port with
 * `config` (default: one receiver that drops notifications). `--cluster.listen-address=` (empty)
 * turns gossip clustering off, which would otherwise listen on a fixed port 9094.
 */
export async function startAlertmanager(options: { config?: string } = {}): Promise<AlertmanagerServer> {
  const daemon = await startHttpDaemon({
    name: 'alertmanager',
    binary: 'prometheus-alertmanager',
    debianPackage: 'prometheus-alertmanager',
    prepare(dir) {
      writeFileSync(path.join(dir, 'alertmanager.yml'), options.config ?? DEFAULT_ALERTMANAGER_CONFIG);
    },
    args: (port, dir) => [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
  });
  return { url: daemon.url, port: daemon.port, destroy: daemon.destroy };
}
