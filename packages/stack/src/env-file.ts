import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** KEY=VALUE lines of a Compose .env file (comments and blank lines skipped, quotes removed). */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line
      .slice(0, eq)
      .replace(/^export\s+/, '')
      .trim();
    let value = line.slice(eq + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))
      value = value.slice(1, -1);
    values[key] = value;
  }
  return values;
}

export function readEnvFile(file: string): Record<string, string> | undefined {
  return existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : undefined;
}

export interface EnvFileCheck {
  exists: boolean;
  missing: string[];
  placeholders: string[];
}

/** compose/.env against compose/.env.example: keys missing, passwords still the example's `change-me`. */
export function checkEnvFile(envFile: string, exampleFile: string): EnvFileCheck {
  const example = readEnvFile(exampleFile) ?? {};
  const actual = readEnvFile(envFile);
  if (!actual) return { exists: false, missing: Object.keys(example), placeholders: [] };
  return {
    exists: true,
    missing: Object.keys(example).filter((key) => actual[key] === undefined),
    placeholders: Object.keys(actual).filter((key) => /change-me/i.test(actual[key] ?? '')),
  };
}

/**
 * A first `up` with no compose/.env: the example with every `change-me` password replaced by a
 * random one (letters and digits, safe in connection URLs), so nothing runs on a known password.
 */
export function createEnvFileFromExample(envFile: string, exampleFile: string): void {
  const text = readFileSync(exampleFile, 'utf8').replace(
    /^([A-Z0-9_]+)=(.*change-me.*)$/gm,
    (_line, key: string, value: string) => {
      const secret = randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
      // TASK_MONITOR_BASIC_AUTH is user:password: keep the user
      return value.includes(':') ? `${key}=${value.split(':')[0]}:${secret}` : `${key}=${secret}`;
    },
  );
  writeFileSync(envFile, text, { mode: 0o600 });
}
