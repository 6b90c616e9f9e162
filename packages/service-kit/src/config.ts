import { readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import { ReelwatchError } from './errors';
import { isSecretName, MASK, maskDsn } from './mask';

/** EX_CONFIG from sysexits.h: the service stopped because its configuration is invalid. */
export const CONFIG_EXIT_CODE = 78;

/** Thrown by loadConfig; `problems` has one line per problem, `message` lists them all. */
export class ConfigError extends ReelwatchError<'CONFIG_INVALID'> {
  readonly problems: string[];

  constructor(problems: string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      'CONFIG_INVALID',
      `invalid configuration (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  /** The environment to read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A dotenv file read under the environment (never overriding it); default `.env` in cwd if present. */
  envFile?: string | false;
  /**
   * Env var prefixes this service owns: a set variable with one of them that is not a schema key (nor
   * KEY_FILE) is an "unknown variable" problem, which catches typos. Default: see defaultPrefixes
   * (`INGESTION_PORT`, `INGESTION_BROKERS` -> `INGESTION_`).
   */
  prefixes?: string[];
}

export interface LoadConfigOrExitOptions extends LoadConfigOptions {
  /** Where the one message goes; default process.stderr. */
  stderr?: { write(text: string): unknown };
  /** Default process.exit; injectable for tests. */
  exit?: (code: number) => void;
}

// Prefixes shared with the platform or the toolchain: owning them would flag variables we did not set.
const GENERIC_PREFIXES = new Set([
  'NODE_',
  'NPM_',
  'PNPM_',
  'HTTP_',
  'HTTPS_',
  'NO_',
  'LC_',
  'XDG_',
  'SSH_',
  'GIT_',
]);

/**
 * The prefixes a schema owns: keys are grouped by their first segment and each group owns the longest
 * segment prefix its keys share (`TASK_MONITOR_PORT` + `TASK_MONITOR_HOST` -> `TASK_MONITOR_`, so a
 * task worker's `TASK_WORKER_*` in the same environment is not "unknown"). Generic segments such as
 * `NODE_` or `HTTP_` are never owned.
 */
export function defaultPrefixes(keys: string[]): string[] {
  const groups = new Map<string, string[][]>();
  for (const key of keys) {
    const segments = key.split('_');
    if (segments.length < 2 || segments[0] === '' || GENERIC_PREFIXES.has(`${segments[0]!.toUpperCase()}_`))
      continue;
    const group = groups.get(segments[0]!) ?? [];
    group.push(segments);
    groups.set(segments[0]!, group);
  }
  const prefixes: string[] = [];
  for (const group of groups.values()) {
    const shortest = Math.min(...group.map((segments) => segments.length));
    let shared = 1;
    while (shared < shortest - 1 && group.every((segments) => segments[shared] === group[0]![shared]))
      shared++;
    prefixes.push(`${group[0]!.slice(0, shared).join('_')}_`);
  }
  return prefixes;
}

/**
 * Parses the environment into the schema's type. Schema keys are the env var names. Every problem is
 * collected (missing, bad value, unknown variable, unreadable KEY_FILE, both KEY and KEY_FILE) and
 * thrown as ONE ConfigError; values of secret variables never appear in its message.
 * An empty value counts as unset, so the default applies (Compose writes `FOO=` for "not set"),
 * except for a field marked with keepEmptyValue(), where empty is a value of its own.
 * Values reach the schema as strings: use the env* helpers below or z.coerce for numbers and booleans.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, options: LoadConfigOptions = {}): z.infer<S> {
  const problems: string[] = [];
  const keys = Object.keys(schema.shape);
  const keepEmpty = new Set(keys.filter((key) => KEEP_EMPTY.has(schema.shape[key] as z.ZodType)));
  const env = readEnvironment(options, problems, keepEmpty);
  const input: Record<string, string> = {};
  const keyProblems = new Set<string>();

  for (const key of keys) {
    const value = env[key];
    const fileVar = `${key}_FILE`;
    const file = env[fileVar];
    if (value !== undefined && file !== undefined) {
      problems.push(`${key}: both ${key} and ${fileVar} are set; set only one`);
      keyProblems.add(key);
    } else if (file !== undefined) {
      try {
        input[key] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        problems.push(
          `${fileVar}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        );
        keyProblems.add(key);
      }
    } else if (value !== undefined) {
      input[key] = value;
    }
  }

  const result = schema.safeParse(input);
  if (!result.success) {
    const byKey = new Map<string, string[]>();
    for (const issue of result.error.issues) {
      const key = issue.path.length > 0 ? String(issue.path[0]) : '(config)';
      if (keyProblems.has(key)) continue;
      const messages = byKey.get(key) ?? [];
      messages.push(describeIssue(issue));
      byKey.set(key, messages);
    }
    for (const [key, messages] of byKey) {
      const field = schema.shape[key] as z.ZodType | undefined;
      const description = field ? findDescription(field) : undefined;
      const raw = input[key];
      if (raw === undefined) {
        problems.push(`${key}: missing${description ? ` (${description})` : ''}`);
      } else {
        const shown = isSecret(key, description) ? '' : `, got "${truncate(maskDsn(raw))}"`;
        problems.push(`${key}: ${[...new Set(messages)].join('; ')}${shown}`);
      }
    }
  }

  const prefixes = options.prefixes ?? defaultPrefixes(keys);
  const known = new Set(keys.flatMap((key) => [key, `${key}_FILE`]));
  for (const name of Object.keys(env).sort()) {
    if (known.has(name) || !prefixes.some((prefix) => name.startsWith(prefix))) continue;
    const guess = closest(name.replace(/_FILE$/, ''), keys);
    problems.push(`${name}: unknown variable${guess ? ` (did you mean ${guess}?)` : ''}`);
  }

  if (problems.length > 0 || !result.success) {
    throw new ConfigError(problems.length > 0 ? problems : ['invalid configuration']);
  }
  return result.data;
}

/**
 * loadConfig for a service's main: on a ConfigError prints one message naming every problem to stderr
 * and exits with CONFIG_EXIT_CODE (78), so supervisors can tell "misconfigured" from "crashed".
 */
export function loadConfigOrExit<S extends z.ZodObject>(
  service: string,
  schema: S,
  options: LoadConfigOrExitOptions = {},
): z.infer<S> {
  try {
    return loadConfig(schema, options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    (options.stderr ?? process.stderr).write(
      `${service}: ${err.message}\n${service}: exiting with code ${CONFIG_EXIT_CODE} (configuration error)\n`,
    );
    (options.exit ?? process.exit)(CONFIG_EXIT_CODE);
    // Only reached when an injected exit returns (tests): keep the type honest.
    throw err;
  }
}

export interface ConfigVariable {
  name: string;
  default?: string;
  description: string;
  secret: boolean;
  required: boolean;
}

/** One row per env var of the schema, in schema order: feeds the package READMEs' configuration tables (pnpm docs). */
export function describeConfig(schema: z.ZodObject): ConfigVariable[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const type = field as z.ZodType;
    const description = findDescription(type) ?? '';
    const secret = isSecret(name, description);
    const found = findDefault(type);
    const row: ConfigVariable = {
      name,
      description,
      secret,
      required: !found.has && !type.safeParse(undefined).success,
    };
    if (found.has) row.default = secret && found.text !== '' ? MASK : maskDsn(found.text);
    return row;
  });
}

/** The configuration table of a package README for a schema: `| variable | default | description |`. */
export function renderConfigTable(schema: z.ZodObject): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = describeConfig(schema).map((v) => {
    const def = v.default === undefined ? (v.required ? '_required_' : '') : `\`${cell(v.default)}\``;
    return `| \`${v.name}\` | ${def} | ${cell(v.description)}${v.secret ? ' (secret; `_FILE` supported)' : ''} |`;
  });
  return ['| variable | default | description |', '|---|---|---|', ...rows].join('\n');
}

// ---- env var types: every value arrives as a string ----

const PORT_MESSAGE = 'expected a port number 0-65535';
/** A TCP port, 0-65535 (0 = any free port). */
export function envPort() {
  return z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, PORT_MESSAGE)
    .transform(Number)
    .refine((n) => n <= 65535, PORT_MESSAGE);
}

/** An integer within optional bounds. */
export function envInt(bounds: { min?: number; max?: number } = {}) {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
  const message = `expected an integer${bounds.min !== undefined ? ` >= ${min}` : ''}${bounds.max !== undefined ? ` <= ${max}` : ''}`;
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

/** A finite number within optional bounds. */
export function envNumber(bounds: { min?: number; max?: number } = {}) {
  const { min = -Infinity, max = Infinity } = bounds;
  const message = `expected a number${bounds.min !== undefined ? ` >= ${min}` : ''}${bounds.max !== undefined ? ` <= ${max}` : ''}`;
  return z
    .string()
    .trim()
    .refine((s) => s !== '' && Number.isFinite(Number(s)), message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
/** true/false, 1/0, yes/no, on/off (any case). */
export function envBoolean() {
  return z
    .string()
    .trim()
    .toLowerCase()
    .refine((s) => TRUE_WORDS.has(s) || FALSE_WORDS.has(s), 'expected a boolean: true/false, 1/0, yes/no')
    .transform((s) => TRUE_WORDS.has(s));
}

/** A comma-separated list; items trimmed, empty items dropped. */
export function envList() {
  return z.string().transform((s) =>
    s
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** A duration in milliseconds: `1500` (ms), or with a unit `1500ms`, `10s`, `5m`, `1h`. */
export function envDurationMs() {
  return z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, 'expected a duration: milliseconds (1500) or 1500ms, 10s, 5m, 1h')
    .transform((s) => {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s)!;
      return Math.round(Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? 'ms'] ?? 1));
    });
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino log level. */
export function envLogLevel() {
  return z.enum(LOG_LEVELS);
}

const KEEP_EMPTY = new WeakSet<z.ZodType>();

/**
 * Marks a field whose empty value means something of its own ("do not push"), so loadConfig passes
 * `FOO=` through as '' instead of treating it as unset (its default then applies only when the
 * variable is not set at all). Wrap the finished field: keepEmptyValue(z.string().default(...).describe(...)).
 */
export function keepEmptyValue<T extends z.ZodType>(field: T): T {
  KEEP_EMPTY.add(field);
  return field;
}

// ---- internals ----

function readEnvironment(
  options: LoadConfigOptions,
  problems: string[],
  keepEmpty: ReadonlySet<string>,
): Record<string, string> {
  const merged: Record<string, string> = {};
  if (options.envFile !== false) {
    const file = path.resolve(options.envFile ?? '.env');
    try {
      Object.assign(merged, dotenv.parse(readFileSync(file)));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // The default .env is optional; an env file named explicitly must exist.
      if (!(options.envFile === undefined && code === 'ENOENT')) {
        problems.push(`env file ${file}: cannot read (${code ?? String(err)})`);
      }
    }
  }
  for (const [name, value] of Object.entries(options.env ?? process.env)) {
    if (value !== undefined) merged[name] = value;
  }
  for (const [name, value] of Object.entries(merged)) {
    if (value === '' && !keepEmpty.has(name)) delete merged[name];
  }
  return merged;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  return issue.message.replace(/^Invalid input: /, '');
}

function isSecret(name: string, description: string | undefined): boolean {
  return isSecretName(name) || /secret|password/i.test(description ?? '');
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

type Def = { type?: string; innerType?: z.ZodType; in?: z.ZodType; defaultValue?: unknown };

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { def: Def }).def ?? {};
}

/** `.describe()` may sit on the field or on a schema it wraps (`.describe('x').default(1)`). */
function findDescription(schema: z.ZodType): string | undefined {
  for (let current: z.ZodType | undefined = schema, depth = 0; current && depth < 10; depth++) {
    if (current.description) return current.description;
    const def = defOf(current);
    current = def.innerType ?? def.in;
  }
  return undefined;
}

function findDefault(schema: z.ZodType): { has: boolean; text: string } {
  for (let current: z.ZodType | undefined = schema, depth = 0; current && depth < 10; depth++) {
    const def = defOf(current);
    if (def.type === 'default' || def.type === 'prefault') {
      const value = def.defaultValue;
      return { has: true, text: Array.isArray(value) ? value.join(',') : String(value) };
    }
    current = def.innerType;
  }
  return { has: false, text: '' };
}

function closest(name: string, keys: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const key of keys) {
    const d = editDistance(name, key);
    if (d < bestDistance) {
      bestDistance = d;
      best = key;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
