import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import YAML from 'yaml';
import { z } from 'zod';
import { ExporterError } from './errors';

// The exporter-toolkit web config file upstream reads with --web.config.file.
const webConfigSchema = z
  .object({
    tls_server_config: z
      .object({
        cert_file: z.string().min(1),
        key_file: z.string().min(1),
        client_ca_file: z.string().optional(),
      })
      .passthrough()
      .optional(),
    basic_auth_users: z.record(z.string(), z.string()).optional(),
  })
  .passthrough();

export interface WebConfig {
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
  /** username -> bcrypt hash */
  users: Map<string, string>;
}

export function loadWebConfig(path: string): WebConfig {
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(path, 'utf8')) ?? {};
  } catch (cause) {
    throw new ExporterError('WEB_CONFIG_INVALID', `cannot read web config ${path}`, { cause });
  }
  const parsed = webConfigSchema.safeParse(doc);
  if (!parsed.success)
    throw new ExporterError(
      'WEB_CONFIG_INVALID',
      `web config ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const base = dirname(path);
  const read = (file: string) => {
    try {
      return readFileSync(resolve(base, file));
    } catch (cause) {
      throw new ExporterError('WEB_CONFIG_INVALID', `web config ${path}: cannot read ${file}`, { cause });
    }
  };
  const tlsConfig = parsed.data.tls_server_config;
  return {
    tls: tlsConfig
      ? {
          cert: read(tlsConfig.cert_file),
          key: read(tlsConfig.key_file),
          ca: tlsConfig.client_ca_file ? read(tlsConfig.client_ca_file) : undefined,
        }
      : undefined,
    users: new Map(Object.entries(parsed.data.basic_auth_users ?? {})),
  };
}

/**
 * Checks an Authorization header against bcrypt hashes. bcrypt is slow on purpose, so a verified
 * (user, password) pair is remembered by its SHA-256, as exporter-toolkit does.
 */
export class BasicAuth {
  private readonly verified = new Set<string>();

  constructor(private readonly users: Map<string, string>) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  async check(header: string | undefined): Promise<boolean> {
    if (!this.enabled) return true;
    if (!header?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const hash = this.users.get(user);
    if (!hash) return false;
    const key = createHash('sha256').update(`${user}\u0000${password}\u0000${hash}`).digest('hex');
    if (this.verified.has(key)) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) this.verified.add(key);
    return ok;
  }
}
