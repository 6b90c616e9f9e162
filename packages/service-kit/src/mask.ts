/**
 * Masking of secrets in connection strings and in objects about to be logged or shown.
 * The rule everywhere: the value of a secret never leaves the process, only `****`.
 */

export const MASK = '****';

/** Env var / property names that hold a secret: PASSWORD, PASS, SECRET, TOKEN (any case, any position). */
const SECRET_NAME = /pass(word|wd)?|secret|token|api_?key|credential/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

// scheme://user:password@host -> scheme://user:****@host. The password ends at the LAST '@' before
// the host part so a password containing '@' is still fully masked.
const URI_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@,]*:)([^\s,]*)@(?=[^@\s,]*(?:[\s,]|$))/gi;
// Passwords in URI query parameters: ?password=...&sslpassword=...
const QUERY_PASSWORD = /([?&](?:ssl)?password=)[^&\s,#]*/gi;
// key=value conninfo: password=secret, password = 'quoted \' value' (URI query parameters are above)
const CONNINFO_PASSWORD = /((?<![?&\w])(?:ssl)?password\s*=\s*)('(?:\\.|[^'\\])*'|[^\s,']*)/gi;

/**
 * Masks the passwords in a PostgreSQL DSN: a URI (`postgres://u:****@h/db`), a key=value conninfo
 * string (`host=h password=****`), or a comma-separated list of either. Other text is kept as is.
 */
export function maskDsn(dsnOrConnString: string): string {
  return dsnOrConnString
    .replace(URI_PASSWORD, `$1${MASK}@`)
    .replace(QUERY_PASSWORD, `$1${MASK}`)
    .replace(CONNINFO_PASSWORD, (_match, key: string) => `${key}${MASK}`);
}

/**
 * A copy of a config-like object that is safe to log: values under secret-looking keys become
 * `****`, every string has its DSN passwords masked. Nested objects and arrays are walked.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskDsn(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value instanceof Date || value instanceof URL) return maskDsn(String(value));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      isSecretName(key) && item !== undefined && item !== null && item !== ''
        ? MASK
        : redactSecrets(item, depth + 1);
  }
  return out;
}
