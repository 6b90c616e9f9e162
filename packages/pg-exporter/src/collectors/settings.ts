import type { Collector } from '../collector';
import type { Sample } from '../exposition';

export const SQL = `SELECT name, setting, COALESCE(unit, '') AS unit, vartype FROM pg_settings
WHERE vartype IN ('bool', 'integer', 'real') AND name NOT IN ('sync_commit_cancel_wait', 'google_dataplex.max_messages')`;

const SECONDS: Record<string, number> = { ms: 1 / 1000, s: 1, min: 60, h: 3600, d: 86400 };
const BYTES: Record<string, number> = {
  B: 1,
  kB: 2 ** 10,
  MB: 2 ** 20,
  GB: 2 ** 30,
  TB: 2 ** 40,
  '1kB': 2 ** 10,
  '2kB': 2 ** 11,
  '4kB': 2 ** 12,
  '8kB': 2 ** 13,
  '16kB': 2 ** 14,
  '32kB': 2 ** 15,
  '64kB': 2 ** 16,
  '16MB': 2 ** 24,
  '32MB': 2 ** 25,
  '64MB': 2 ** 26,
};

/** One pg_settings row as postgres_exporter exposes it (collector/pg_setting.go): base units, -1 kept. */
export function settingSample(
  name: string,
  setting: string,
  unit: string,
  vartype: string,
): Sample | undefined {
  let metric = name.replace(/[.-]/g, '_');
  let help = `Server Parameter: ${name}`;
  let value: number;
  if (vartype === 'bool') {
    value = setting === 'on' ? 1 : 0;
  } else {
    value = Number(setting);
    if (Number.isNaN(value)) return undefined;
    let suffix = '';
    let factor = 1;
    if (unit in SECONDS) {
      suffix = 'seconds';
      factor = SECONDS[unit] as number;
    } else if (unit in BYTES) {
      suffix = 'bytes';
      factor = BYTES[unit] as number;
    } else if (unit !== '') {
      return undefined;
    }
    if (suffix !== '') {
      metric = `${metric}_${suffix}`;
      help = `${help} [Units converted to ${suffix}.]`;
      if (value !== -1) value *= factor;
    }
  }
  return { name: `pg_settings_${metric}`, help, type: 'gauge', labels: {}, value };
}

export const settings: Collector = {
  name: 'settings',
  defaultEnabled: true,
  scope: 'server',
  description: 'numeric and boolean server settings in base units (`pg_settings`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      const s = settingSample(String(row.name), String(row.setting), String(row.unit), String(row.vartype));
      if (s) out.push(s);
    }
    return out;
  },
};
