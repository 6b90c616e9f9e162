import path from 'node:path';
import { probeHttp } from '../probes';
import type { StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, HOST, port, requireBinary, url } from './support';

export const pushgateway: StackComponent = {
  name: 'pushgateway',
  description: 'Prometheus Pushgateway (pushed metrics persisted in the state dir)',
  compose: { port: 9091, published: 'PUSHGATEWAY_PORT', environment: [], healthcheck: true },
  nativePort: 9091,
  scraped: true,
  docs: { label: 'Pushgateway' },
  binaries: [{ binary: 'prometheus-pushgateway', debianPackage: 'prometheus-pushgateway' }],
  optional: true,
  launch: (s) => ({
    command: requireBinary(s, 'prometheus-pushgateway'),
    args: [
      `--web.listen-address=${HOST}:${port(s, 'pushgateway')}`,
      `--persistence.file=${path.join(ensureDir(componentDir(s, 'pushgateway')), 'metrics.store')}`,
    ],
    env: baseEnv(s, componentDir(s, 'pushgateway')),
    cwd: componentDir(s, 'pushgateway'),
  }),
  health: (s) => probeHttp(url(port(s, 'pushgateway'), '/-/ready')),
  urls: (s) => [{ name: 'pushgateway', url: url(port(s, 'pushgateway')) }],
};
