import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { COMPONENTS, type Runtime } from '../components';
import { serviceEntry } from '../components/support';
import { StackError } from '../errors';
import type { Output } from '../output';
import { portTaken } from '../probes';
import type { Progress } from '../progress';
import { aptInstall, type BinaryRequirement, canAptInstall, missingBinaries, packagesOf } from './binaries';
import type { NativeSettings } from './settings';

// What `up` checks before it starts anything: what to skip, binaries, builds, free ports.

/** Components that cannot or need not run here, each with why (and how to get it), in `rt.skipped`. */
export function planSkips(s: NativeSettings, rt: Runtime): BinaryRequirement[] {
  const requiredMissing: BinaryRequirement[] = [];
  for (const c of COMPONENTS) {
    const reason = c.unavailable?.(s);
    if (reason) {
      rt.skipped[c.name] = reason;
      continue;
    }
    if (c.name === 'kafka' && s.externalKafka) continue;
    const missing = missingBinaries(c.binaries, s.env);
    if (missing.length === 0) continue;
    if (c.optional)
      rt.skipped[c.name] =
        `not installed (${missing.map((m) => m.binary).join(', ')}): apt-get install ${packagesOf(missing).join(' ')}`;
    else requiredMissing.push(...missing);
  }
  return requiredMissing;
}

export function ensureBinaries(s: NativeSettings, out: Output, rt: Runtime, install: boolean): void {
  let missing = planSkips(s, rt);
  if (missing.length === 0) return;
  const packages = packagesOf(missing);
  const names = missing.map((m) => m.binary).join(', ');
  if (install && canAptInstall()) {
    out.note(`missing ${names}: installing the Debian packages ${packages.join(' ')} with apt-get`);
    if (!aptInstall(packages, (line) => out.note(line)))
      throw new StackError('MISSING_BINARIES', `apt-get install ${packages.join(' ')} failed`);
    for (const key of Object.keys(rt.skipped)) delete rt.skipped[key];
    missing = planSkips(s, rt);
    if (missing.length === 0) return;
  }
  throw new StackError(
    'MISSING_BINARIES',
    `missing ${missing.map((m) => m.binary).join(', ')}: install the packages ${packagesOf(missing).join(' ')} ` +
      `(Debian/Ubuntu: sudo apt-get install ${packagesOf(missing).join(' ')}), then run pnpm stack up again`,
  );
}

/** Builds (pnpm) the services whose dist entry is missing, and says so. */
export function ensureBuilt(s: NativeSettings, rt: Runtime, progress: Progress): void {
  const built = COMPONENTS.flatMap((c) => (c.packageDir ? [{ name: c.name, packageDir: c.packageDir }] : []));
  const unbuilt = built.filter(
    (svc) => rt.skipped[svc.name] === undefined && !existsSync(serviceEntry(s.root, svc.packageDir)),
  );
  if (unbuilt.length === 0) return;
  for (const svc of unbuilt) progress.set(svc.name, 'building', `packages/${svc.packageDir}/dist is missing`);
  const filters = unbuilt.flatMap((svc) => ['--filter', `@reelwatch/${svc.packageDir}...`]);
  const result = spawnSync('pnpm', [...filters, 'run', 'build'], {
    cwd: s.root,
    encoding: 'utf8',
    env: s.env,
  });
  if (result.status !== 0)
    throw new StackError(
      'BUILD_FAILED',
      `pnpm ${[...filters, 'run', 'build'].join(' ')} failed:\n${result.error?.message ?? ''}${result.stdout ?? ''}${result.stderr ?? ''}`,
    );
  for (const svc of unbuilt) progress.set(svc.name, 'waiting', 'built');
}

export async function ensurePortsFree(s: NativeSettings, rt: Runtime): Promise<void> {
  const taken: string[] = [];
  for (const c of COMPONENTS) {
    if (rt.skipped[c.name] !== undefined) continue;
    const port = s.ports[c.name];
    if (port !== undefined && (await portTaken(port))) taken.push(`${c.name} :${port}`);
  }
  if (taken.length > 0)
    throw new StackError(
      'START_FAILED',
      `ports in use: ${taken.join(', ')}. Stop what listens there (ss -ltnp), or choose other ports: pnpm stack up --port-base <port>`,
    );
}
