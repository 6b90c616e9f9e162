import { existsSync, readFileSync } from 'node:fs';
import { type DataSource, parseDsn } from './dsn';
import { ExporterError } from './errors';
import { GoYamlDocument } from './go-yaml';

export interface AuthModule {
  type: 'userpass';
  username?: string;
  password?: string;
  options: Record<string, string>;
}

/**
 * postgres_exporter.yml (--config.file): credentials for /probe, so targets carry no passwords.
 * Read as upstream's config.DecodeAuthConfig does (yaml.v3 with KnownFields: an unknown or repeated
 * key is an error; see go-yaml.ts), and stricter in one place: a module must say `type: userpass`,
 * where upstream silently ignores the credentials of any other type.
 */
export function parseAuthModules(text: string): Map<string, AuthModule> {
  const doc = GoYamlDocument.parse(text, { uniqueKeys: true });
  const modules = new Map<string, AuthModule>();
  const problems: string[] = [];
  const top = doc.struct(doc.root, 'config.AuthConfig', ['auth_modules'], true);
  for (const [name, spec] of doc.entries(top.get('auth_modules') ?? null, 'map[string]config.AuthModule')) {
    const m = doc.struct(spec, 'config.AuthModule', ['type', 'userpass', 'options'], true);
    const userpass = doc.struct(m.get('userpass') ?? null, 'config.UserPass', ['username', 'password'], true);
    const options: Record<string, string> = {};
    for (const [key, value] of doc.entries(m.get('options') ?? null, 'map[string]string'))
      options[key] = doc.string(value);
    const type = doc.string(m.get('type') ?? null);
    if (type !== 'userpass') problems.push(`auth_modules.${name}.type: must be "userpass", got "${type}"`);
    const username = doc.string(userpass.get('username') ?? null);
    const password = doc.string(userpass.get('password') ?? null);
    modules.set(name, {
      type: 'userpass',
      username: username === '' ? undefined : username,
      password: password === '' ? undefined : password,
      options,
    });
  }
  problems.unshift(...doc.problems);
  if (problems.length > 0) throw new ExporterError('AUTH_CONFIG_INVALID', problems.join('; '));
  return modules;
}

export function loadAuthModules(path: string): Map<string, AuthModule> {
  if (path === '' || !existsSync(path)) return new Map();
  try {
    return parseAuthModules(readFileSync(path, 'utf8'));
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ExporterError('AUTH_CONFIG_INVALID', `error parsing config file ${path}: ${detail}`, { cause });
  }
}

/** A /probe target ("host:port/db", a URI or key=value) with the auth module's user, password and options. */
export function probeDataSource(target: string, module: AuthModule | undefined): DataSource {
  const text = target.trim();
  const ds = parseDsn(
    /^postgres(ql)?:\/\//i.test(text) || text.includes('=') ? text : `postgresql://${text}`,
  );
  if (module) {
    if (module.username) ds.user = module.username;
    if (module.password) ds.password = module.password;
    ds.options = { ...ds.options, ...module.options };
  }
  return ds;
}
