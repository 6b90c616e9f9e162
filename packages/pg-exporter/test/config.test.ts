import { COLLECTORS } from '../src/collectors';
import {
  configSchema,
  parseConstantLabels,
  parseFlags,
  parseListenAddress,
  toExporterConfig,
} from '../src/config';

const parse = (env: Record<string, string>) => toExporterConfig(configSchema.parse(env));

describe('exporter configuration', () => {
  it('defaults to :9188, /metrics and postgres_exporter’s default collector set', () => {
    const c = parse({ DATA_SOURCE_NAME: 'postgresql://u@h:5432/postgres' });
    expect(c.listenPort).toBe(9188);
    expect(c.listenHost).toBeUndefined();
    expect(c.telemetryPath).toBe('/metrics');
    expect(c.collectors).toEqual(COLLECTORS.filter((x) => x.defaultEnabled).map((x) => x.name));
    expect(c.collectionTimeoutMs).toBe(9000);
  });

  it('lets flags turn collectors on and off and override the environment', () => {
    const flags = parseFlags([
      '--no-collector.settings',
      '--collector.postmaster',
      '--web.listen-address=127.0.0.1:9999',
      '--web.telemetry-path',
      '/m',
    ]);
    const c = parse({ PG_EXPORTER_WEB_LISTEN_ADDRESS: ':1', ...flags });
    expect(c.collectors).not.toContain('settings');
    expect(c.collectors).toContain('postmaster');
    expect(c.listenHost).toBe('127.0.0.1');
    expect(c.listenPort).toBe(9999);
    expect(c.telemetryPath).toBe('/m');
  });

  it('reads PG_EXPORTER_COLLECTOR_<NAME> toggles', () => {
    const c = parse({ PG_EXPORTER_COLLECTOR_STAT_USER_TABLES: 'false', PG_EXPORTER_COLLECTOR_WAL: 'true' });
    expect(c.collectors).not.toContain('stat_user_tables');
    expect(c.collectors).toContain('wal');
  });

  it('rejects unknown flags and bad durations, naming them', () => {
    expect(() => parseFlags(['--collector.nope'])).toThrow(/unknown flag --collector.nope/);
    expect(() => configSchema.parse({ PG_EXPORTER_COLLECTION_TIMEOUT: 'soon' })).toThrow(/duration/);
  });

  it('parses constant labels and listen addresses like upstream', () => {
    expect(parseConstantLabels('env=prod, region = eu ,bad,=x')).toEqual({ env: 'prod', region: 'eu' });
    expect(parseListenAddress('[::1]:9188')).toEqual({ host: '::1', port: 9188 });
  });

  it('describes every variable', () => {
    for (const [key, schema] of Object.entries(configSchema.shape)) {
      expect({ key, description: (schema as { description?: string }).description !== undefined }).toEqual({
        key,
        description: true,
      });
    }
  });
});
