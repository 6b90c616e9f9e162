import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEnvFileFromExample, readEnvFile } from '@reelwatch/stack';
import { freePort } from '@reelwatch/testkit';
import YAML from 'yaml';
import { type RunOptions, type RunResult, run, runUnchecked } from './run';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const COMPOSE_FILE = path.join(REPO_ROOT, 'compose/docker-compose.yml');
const ENV_EXAMPLE = path.join(REPO_ROOT, 'compose/.env.example');

interface ComposeService {
  image?: string;
  build?: unknown;
  restart?: string;
  ports?: unknown[];
}

/** The services of compose/docker-compose.yml, as written. */
export function composeServices(file = COMPOSE_FILE): Record<string, ComposeService> {
  const doc = YAML.parse(readFileSync(file, 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  return doc.services;
}

/** A one-shot runs to completion (restart: 'no'); everything else must become healthy. */
export function isOneShot(service: ComposeService): boolean {
  return service.restart === 'no';
}

/**
 * The env file a user writes from .env.example, as the test writes it: every `change-me`
 * placeholder becomes a random password, and every published port a free one, so the run never
 * collides with what already listens on this machine.
 */
export async function writeEnvFile(
  dir: string,
  overrides: Record<string, string>,
): Promise<{ file: string; env: Record<string, string> }> {
  const file = path.join(dir, '.env');
  // What `pnpm stack up` writes for a user: the example with a random password for every
  // `change-me` value. Then a free port for every published port, and the test's own values.
  createEnvFileFromExample(file, ENV_EXAMPLE);
  const env = readEnvFile(file) ?? {};
  for (const key of Object.keys(env)) if (/_PORT$/.test(key)) env[key] = String(await freePort());
  Object.assign(env, overrides);
  const lines = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { file, env };
}

export interface ContainerState {
  Service: string;
  Name: string;
  State: string;
  Health: string;
  ExitCode: number;
}

/** One run of compose/docker-compose.yml under its own project name and env file. */
export class ComposeProject {
  readonly name = `rwct${process.pid}${randomBytes(2).toString('hex')}`;
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'compose-test-'));
  env: Record<string, string> = {};
  private envFile = '';

  async configure(overrides: Record<string, string>): Promise<void> {
    const { file, env } = await writeEnvFile(this.dir, overrides);
    this.envFile = file;
    this.env = env;
  }

  /** The project's env file (what a user keeps in compose/.env). */
  get envFilePath(): string {
    return this.envFile;
  }

  compose(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return run('docker', this.args(args), { cwd: REPO_ROOT, timeoutMs: 900_000, ...options });
  }

  composeUnchecked(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return runUnchecked('docker', this.args(args), { cwd: REPO_ROOT, timeoutMs: 900_000, ...options });
  }

  private args(args: string[]): string[] {
    return ['compose', '-p', this.name, '-f', COMPOSE_FILE, '--env-file', this.envFile, ...args];
  }

  async ps(): Promise<ContainerState[]> {
    const out = (await this.compose(['ps', '-a', '--format', 'json'])).stdout.trim();
    if (!out) return [];
    // Compose 2.21+ prints one JSON object per line; older ones a JSON array.
    return out.startsWith('[')
      ? (JSON.parse(out) as ContainerState[])
      : out.split('\n').map((l) => JSON.parse(l) as ContainerState);
  }

  /** psql on a PostgreSQL container of the project, as the image's superuser, unaligned output. */
  async sql(service: string, query: string): Promise<string> {
    const r = await this.compose([
      'exec',
      '-T',
      service,
      'psql',
      '-U',
      'postgres',
      '-d',
      'reelwatch',
      '-v',
      'ON_ERROR_STOP=1',
      '-tAc',
      query,
    ]);
    return r.stdout.trim();
  }

  url(portKey: string, pathname = ''): string {
    return `http://127.0.0.1:${this.env[portKey]}${pathname}`;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
