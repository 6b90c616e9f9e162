import { probeRedis } from '../probes';
import type { StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, HOST, port, requireBinary } from './support';

export const redis: StackComponent = {
  name: 'redis',
  description: 'Redis (append-only file in the state dir)',
  compose: { port: 6379, environment: [], healthcheck: true },
  nativePort: 16379,
  docs: { label: 'Redis', native: '16379 (clear of a system Redis)' },
  binaries: [{ binary: 'redis-server', debianPackage: 'redis-server' }],
  launch: (s) => ({
    command: requireBinary(s, 'redis-server'),
    args: [
      '--port',
      String(port(s, 'redis')),
      '--bind',
      HOST,
      '--dir',
      ensureDir(componentDir(s, 'redis')),
      '--appendonly',
      'yes',
      '--daemonize',
      'no',
    ],
    env: baseEnv(s, componentDir(s, 'redis')),
    cwd: componentDir(s, 'redis'),
  }),
  health: (s) => probeRedis(HOST, port(s, 'redis')),
  urls: (s) => [{ name: 'redis', url: `redis://${HOST}:${port(s, 'redis')}` }],
};
