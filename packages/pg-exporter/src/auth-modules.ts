import { existsSync, readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { type DataSource, parseDsn } from './dsn';
import { ExporterError } from './errors';

// postgres_exporter.yml (--config.file): credentials for /probe, so targets carry no passwords.
const authConfigSchema = z.object({
  auth_modules: z
    .record(
      z.string(),
      z
        .object({
          type: z.literal('userpass'),
          userpass: z.object({ username: z.string(), password: z.string() }).optional(),
          options: z.record(z.string(), z.string()).optional(),
        })
        .strict(),
    )
    .default({}),
});

export interface AuthModule {
  type: 'userpass';
  username?: string;
  password?: string;
  options: Record<string, string>;
}

export function loadAuthModules(path: string): Map<string, AuthModule> {
  if (path === '' || !existsSync(path)) return new Map();
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(path, 'utf8')) ?? {};
  } catch (cause) {
    throw new ExporterError('AUTH_CONFIG_INVALID', `cannot read ${path}`, { cause });
  }
  const parsed = authConfigSchema.safeParse(doc);
  if (!parsed.success)
    throw new ExporterError(
      'AUTH_CONFIG_INVALID',
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return new Map(
    Object.entries(parsed.data.auth_modules).map(([name, m]) => [
      name,
      {
        type: m.type,
        username: m.userpass?.username,
        password: m.userpass?.password,
        options: m.options ?? {},
      },
    ]),
  );
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
