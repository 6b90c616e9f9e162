import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, runUnchecked } from './run';

/** The base every stand-in builds on, as the official images build on Debian bookworm-slim. */
export const BASE_IMAGE = 'debian:bookworm-slim';
const BASE_LABEL = 'org.reelwatch.standin.base';

// Trimmed like the official slim image: no documentation, manuals or locales kept by dpkg.
const DPKG_EXCLUDES = `path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
`;

/**
 * No image can be pulled here, so the base is made with debootstrap (Debian package
 * `debootstrap`, its default mirror: the Debian archive the machine's apt uses) and docker import.
 */
export async function buildBaseImage(): Promise<'built' | 'cached'> {
  const have = await runUnchecked('docker', [
    'image',
    'inspect',
    '--format',
    `{{index .Config.Labels "${BASE_LABEL}"}}`,
    BASE_IMAGE,
  ]);
  if (have.code === 0 && have.stdout.trim() === 'debootstrap') return 'cached';
  if ((await runUnchecked('sh', ['-c', 'command -v debootstrap'])).code !== 0) {
    if (process.getuid?.() !== 0)
      throw new Error('debootstrap is missing: install the Debian package debootstrap');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update', '-qq'], { env, timeoutMs: 300_000 });
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'debootstrap'], {
      env,
      timeoutMs: 300_000,
    });
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'standin-base-'));
  try {
    await run('debootstrap', ['--variant=minbase', 'bookworm', root], { timeoutMs: 900_000 });
    mkdirSync(path.join(root, 'etc/dpkg/dpkg.cfg.d'), { recursive: true });
    writeFileSync(path.join(root, 'etc/dpkg/dpkg.cfg.d/docker-slim'), DPKG_EXCLUDES);
    writeFileSync(
      path.join(root, 'etc/apt/apt.conf.d/docker-clean'),
      'APT::Keep-Downloaded-Packages "false";\n',
    );
    await run('sh', [
      '-c',
      'cd "$1" && rm -rf var/cache/apt/archives/*.deb var/lib/apt/lists/* usr/share/doc/* usr/share/man/* usr/share/info/* tmp/*',
      'sh',
      root,
    ]);
    await run(
      'sh',
      [
        '-c',
        `tar -C "$1" -c . | docker import --change 'CMD ["bash"]' --change 'LABEL ${BASE_LABEL}=debootstrap' - ${BASE_IMAGE}`,
        'sh',
        root,
      ],
      { timeoutMs: 300_000 },
    );
    return 'built';
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
