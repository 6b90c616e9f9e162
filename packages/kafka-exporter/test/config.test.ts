import { COLLECTORS } from '../src/collectors';
import { collectorEnvName, configSchema, FLAGS, parseFlags, toExporterConfig } from '../src/config';
import { loadCatalogue } from './catalogue';

const parse = (env: Record<string, string>) => toExporterConfig(configSchema.parse(env));

describe('kafka-exporter configuration', () => {
  test("defaults are kafka_exporter's: kafka:9092, :9308, /metrics, every topic and group, offsets of all groups", () => {
    const c = parse({});
    expect(c.kafka.brokers).toEqual(['kafka:9092']);
    expect(c.listenHost).toBeUndefined();
    expect(c.listenPort).toBe(9308);
    expect(c.telemetryPath).toBe('/metrics');
    expect(c.topicFilter.source).toBe('.*');
    expect(c.topicExclude.test('anything')).toBe(false);
    expect(c.offsetShowAll).toBe(true);
    expect(c.topicWorkers).toBe(100);
    // without a database the stored-offsets collector cannot run, so it is off
    expect(c.collectors).toEqual(['brokers', 'topics', 'consumergroups']);
  });

  test('a database URL turns the stored-offsets collector on, and a toggle turns any collector off', () => {
    const c = parse({
      KAFKA_EXPORTER_DATABASE_URL: 'postgres://u:p@db/reelwatch',
      [collectorEnvName('topics')]: 'false',
    });
    expect(c.collectors).toEqual(['brokers', 'consumergroups', 'stored-offsets']);
  });

  test("upstream's flags set the variables; --kafka.server repeats; flags win over the environment", () => {
    const o = parseFlags([
      '--kafka.server=a:9092',
      '--kafka.server',
      'b:9093',
      '--web.listen-address=127.0.0.1:19308',
      '--topic.filter=^movie',
      '--no-offset.show-all',
      '--no-collector.consumergroups',
      '--kafka.labels=cluster=dev',
    ]);
    expect(o).toEqual({
      KAFKA_EXPORTER_KAFKA_SERVER: 'a:9092,b:9093',
      KAFKA_EXPORTER_WEB_LISTEN_ADDRESS: '127.0.0.1:19308',
      KAFKA_EXPORTER_TOPIC_FILTER: '^movie',
      KAFKA_EXPORTER_OFFSET_SHOW_ALL: 'false',
      KAFKA_EXPORTER_COLLECTOR_CONSUMERGROUPS: 'false',
      KAFKA_EXPORTER_KAFKA_LABELS: 'cluster=dev',
    });
    const c = parse(o);
    expect(c.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(c.constantLabels).toEqual({ cluster: 'dev' });
    expect(c.collectors).toEqual(['brokers', 'topics']);
    expect(c.offsetShowAll).toBe(false);
  });

  test('an upstream flag not implemented is refused with its reason, an unknown one by name', () => {
    expect(() => parseFlags(['--use.consumelag.zookeeper'])).toThrow(/not supported: ZooKeeper/);
    expect(() => parseFlags(['--kafka.sever=x:1'])).toThrow(/unknown flag --kafka.sever/);
    expect(() => parseFlags(['--topic.filter'])).toThrow(/needs a value/);
  });

  test('bad values are refused: regex, broker list, listen address, SASL without credentials', () => {
    expect(configSchema.safeParse({ KAFKA_EXPORTER_TOPIC_FILTER: '(' }).success).toBe(false);
    expect(configSchema.safeParse({ KAFKA_EXPORTER_KAFKA_SERVER: 'no-port' }).success).toBe(false);
    expect(() => parse({ KAFKA_EXPORTER_WEB_LISTEN_ADDRESS: 'nowhere' })).toThrow(/not \[host\]:port/);
    expect(() => parse({ KAFKA_EXPORTER_SASL_ENABLED: 'true' })).toThrow(/SASL needs/);
    expect(() => parse({ KAFKA_EXPORTER_KAFKA_LABELS: 'bad-name=x' })).toThrow(/not a Prometheus label name/);
  });

  test('every flag names a variable of the schema', () => {
    for (const key of Object.values(FLAGS)) expect(Object.keys(configSchema.shape)).toContain(key);
  });
});

describe('collectors and the upstream catalogue', () => {
  test('every upstream name a collector declares is in the catalogue with the kafka_ prefix; ours are marked ours', () => {
    const { entries } = loadCatalogue();
    const names = new Set(entries.map((e) => e.name));
    const ours = COLLECTORS.flatMap((c) => c.metrics).filter((m) => !names.has(m));
    expect(ours).toEqual(['kafka_consumergroup_stored_offset', 'kafka_consumergroup_stored_offset_gap']);
  });

  test('the catalogue fixture names its upstream commit and reads into typed rows', () => {
    const { commit, entries } = loadCatalogue();
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(entries.length).toBeGreaterThanOrEqual(16);
    expect(entries.find((e) => e.name === 'kafka_consumergroup_lag')?.labels).toEqual([
      'consumergroup',
      'topic',
      'partition',
    ]);
  });
});
