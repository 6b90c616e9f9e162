import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NativeSettings } from '../native/settings';
import { probeHttp } from '../probes';
import type { Runtime, StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, port, serviceEntry, url } from './support';

/** A service of this repo: node packages/<packageDir>/dist/main.js with /healthz and /metrics. */
export interface ServiceDefinition
  extends Pick<StackComponent, 'name' | 'description' | 'compose' | 'nativePort' | 'docs'> {
  packageDir: string;
  /** Its environment natively (the services read nothing else). */
  env(s: NativeSettings, rt: Runtime): Record<string, string>;
}

export function nodeService(def: ServiceDefinition): StackComponent {
  return {
    name: def.name,
    description: def.description,
    compose: def.compose,
    nativePort: def.nativePort,
    scraped: true,
    docs: def.docs,
    packageDir: def.packageDir,
    binaries: [],
    unavailable: (s) =>
      existsSync(path.join(s.root, 'packages', def.packageDir, 'package.json'))
        ? undefined
        : `packages/${def.packageDir} is not in this checkout`,
    launch: (s, rt) => ({
      command: process.execPath,
      args: [serviceEntry(s.root, def.packageDir)],
      // a clean environment: the services read only what is set here (and no stray .env: cwd is
      // the component's own directory)
      env: { ...baseEnv(s, componentDir(s, def.name)), ...def.env(s, rt) },
      cwd: ensureDir(componentDir(s, def.name)),
    }),
    health: (s) => probeHttp(url(port(s, def.name), '/healthz')),
    urls: (s) => [{ name: def.name, url: url(port(s, def.name), '/metrics') }],
  };
}
