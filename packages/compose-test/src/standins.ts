import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE_IMAGE, buildBaseImage } from './base-image';
import { prepareNodeContext } from './node-standin';
import { run, runUnchecked } from './run';

export const STANDINS_DIR = path.resolve(__dirname, '../standins');
const HASH_LABEL = 'org.reelwatch.standin.hash';

/**
 * One upstream image that cannot be pulled here, rebuilt from `standins/<folder>` under the exact
 * tag Compose names (README in that folder: which parts of the image's contract it follows).
 */
export interface StandIn {
  /** the image's repository as Compose names it, without the tag */
  repository: string;
  folder: string;
  /** fills the build context beyond the folder's files (e.g. release tarballs) */
  prepare?: (tag: string, context: string) => Promise<Record<string, string>>;
}

/** Every stand-in, declared once; the order is the build order (node before what builds on it). */
export const standIns: StandIn[] = [
  { repository: 'node', folder: 'node', prepare: prepareNodeContext },
  { repository: 'postgres', folder: 'postgres' },
  { repository: 'redis', folder: 'redis' },
  { repository: 'apache/kafka', folder: 'kafka' },
  { repository: 'prom/prometheus', folder: 'prometheus' },
  { repository: 'prom/alertmanager', folder: 'alertmanager' },
  { repository: 'prom/pushgateway', folder: 'pushgateway' },
];

/** Images no stand-in exists for: their services stay in the Compose file, unstarted by the test. */
export const NOT_BUILDABLE = new Set(['grafana/grafana']);

export function splitImage(image: string): { repository: string; tag: string } {
  const at = image.lastIndexOf(':');
  if (at <= image.lastIndexOf('/')) return { repository: image, tag: 'latest' };
  return { repository: image.slice(0, at), tag: image.slice(at + 1) };
}

function folderHash(folder: string, tag: string): string {
  const hash = createHash('sha256').update(tag);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(path.relative(folder, file)).update(readFileSync(file));
    }
  };
  walk(folder);
  return hash.digest('hex').slice(0, 16);
}

async function imageLabel(image: string, label: string): Promise<string | undefined> {
  const r = await runUnchecked('docker', [
    'image',
    'inspect',
    '--format',
    `{{index .Config.Labels "${label}"}}`,
    image,
  ]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

async function imageId(image: string): Promise<string> {
  return (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image])).stdout.trim();
}

/**
 * Builds one stand-in unless an image with the same tag was built from the same folder on the same
 * images before it (`upstream`: the ids of the base and of the stand-ins built earlier).
 */
export async function buildStandIn(
  standIn: StandIn,
  tag: string,
  upstream: string,
): Promise<'built' | 'cached'> {
  const image = `${standIn.repository}:${tag}`;
  const folder = path.join(STANDINS_DIR, standIn.folder);
  const hash = folderHash(folder, `${tag}\n${upstream}`);
  if ((await imageLabel(image, HASH_LABEL)) === hash) return 'cached';
  const context = mkdtempSync(path.join(os.tmpdir(), `standin-${standIn.folder}-`));
  try {
    cpSync(folder, context, { recursive: true });
    const buildArgs = { IMAGE_TAG: tag, ...(await standIn.prepare?.(tag, context)) };
    const args = ['build', '-t', image, '--label', `${HASH_LABEL}=${hash}`];
    for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
    await run('docker', [...args, context], { timeoutMs: 900_000 });
    return 'built';
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/**
 * Builds the base image and a stand-in for every image in `images` that has one. Returns the
 * images left without one (Grafana); throws for an image that is neither.
 */
export async function buildStandIns(
  images: string[],
  log: (line: string) => void,
): Promise<{ unbuildable: string[] }> {
  const started = Date.now();
  log(`${BASE_IMAGE}: ${await buildBaseImage()}`);
  let upstream = await imageId(BASE_IMAGE);
  const unbuildable: string[] = [];
  const wanted = new Map(images.map((image) => [splitImage(image).repository, splitImage(image).tag]));
  for (const repository of wanted.keys()) {
    if (!NOT_BUILDABLE.has(repository) && !standIns.some((s) => s.repository === repository))
      throw new Error(`no stand-in for ${repository}: add one to packages/compose-test/standins`);
  }
  for (const standIn of standIns) {
    const tag = wanted.get(standIn.repository);
    if (tag === undefined) continue;
    const t0 = Date.now();
    const how = await buildStandIn(standIn, tag, upstream);
    upstream += `\n${await imageId(`${standIn.repository}:${tag}`)}`;
    log(`${standIn.repository}:${tag}: ${how} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  for (const [repository, tag] of wanted)
    if (NOT_BUILDABLE.has(repository)) unbuildable.push(`${repository}:${tag}`);
  log(`stand-ins ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { unbuildable };
}
