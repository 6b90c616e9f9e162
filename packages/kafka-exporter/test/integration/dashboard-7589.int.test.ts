import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type KafkaCluster,
  type PrometheusServer,
  startKafka,
  startPrometheus,
  waitFor,
} from '@reelwatch/testkit';
import { type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import pino from 'pino';
import { type RunningKafkaExporter, startKafkaExporter } from '../../src/app';
import { configSchema, toExporterConfig } from '../../src/config';

// "Kafka Exporter Overview" (grafana.com 7589), checked in by packages/stack-config (see its
// test/fixtures/community-dashboards/sources.md for the source and commit).
const DASHBOARD = path.resolve(
  __dirname,
  '../../../stack-config/test/fixtures/community-dashboards/kafka-exporter-overview-7589.json',
);

interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: Array<{ expr?: string }>;
}

function panelQueries(dashboard: {
  panels?: Panel[];
  rows?: Panel[];
}): Array<{ title: string; expr: string }> {
  const out: Array<{ title: string; expr: string }> = [];
  const walk = (panels: Panel[] = []) => {
    for (const p of panels) {
      walk(p.panels);
      for (const t of p.targets ?? []) if (t.expr) out.push({ title: p.title ?? '?', expr: t.expr });
    }
  };
  walk(dashboard.panels);
  walk(dashboard.rows);
  return out;
}

describe('community dashboard 7589 (Kafka Exporter Overview) through a real Prometheus scraping kafka-exporter', () => {
  const topic = `overview-${Date.now().toString(36)}`;
  const group = `overview-group-${Date.now().toString(36)}`;
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  const queries = panelQueries(dashboard);
  let cluster: KafkaCluster;
  let app: RunningKafkaExporter;
  let prometheus: PrometheusServer;
  let producer: Producer;
  let consumer: Consumer;
  let stop = false;
  let traffic: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    cluster = await startKafka({ brokers: 3 });
    const kafka = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'first' }] });
    consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommitInterval: 200, eachMessage: async () => undefined });
    traffic = (async () => {
      while (!stop) {
        await producer.send({ topic, acks: -1, messages: [{ value: 'x' }, { value: 'y' }] });
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    app = await startKafkaExporter(
      toExporterConfig(
        configSchema.parse({
          KAFKA_EXPORTER_KAFKA_SERVER: cluster.brokers.join(','),
          KAFKA_EXPORTER_WEB_LISTEN_ADDRESS: '127.0.0.1:0',
          KAFKA_EXPORTER_GROUPS: group,
        }),
      ),
      pino({ level: 'silent' }),
    );
    prometheus = await startPrometheus({
      scrapeIntervalSec: 1,
      config: `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kafka-exporter
    static_configs:
      - targets: ['127.0.0.1:${app.server.port}']
`,
    });
    await prometheus.waitForTargets({ job: 'kafka-exporter', timeoutMs: 30_000 });
  }, 120_000);

  afterAll(async () => {
    stop = true;
    await traffic.catch(() => undefined);
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await prometheus?.destroy();
    await app?.close();
    await cluster?.destroy();
  }, 60_000);

  test('finds the five panel queries and three variables of the fixture', () => {
    expect(queries.length).toBe(5);
    expect(dashboard.templating.list.map((v: { name: string }) => v.name)).toEqual([
      'job',
      'instance',
      'topic',
    ]);
  });

  test('its variables fill from our series and every panel query returns data', async () => {
    // the variables as Grafana fills them: job and instance from kafka_consumergroup_current_offset,
    // topic from kafka_topic_partition_current_offset of that instance
    const instance = await waitFor(
      async () => {
        const r = await prometheus.query('kafka_consumergroup_current_offset{job=~"kafka-exporter"}');
        return r[0]?.metric.instance;
      },
      { timeoutMs: 30_000, what: 'the instance variable (kafka_consumergroup_current_offset)' },
    );
    const topics = await prometheus.query(
      `kafka_topic_partition_current_offset{instance='${instance}',topic!='__consumer_offsets',topic!='--kafka'}`,
    );
    expect(topics.map((r) => r.metric.topic)).toContain(topic);
    const substitute = (expr: string) =>
      expr
        .replace(/\$instance/g, instance)
        .replace(/\$topic/g, topic)
        .replace(/\$job/g, 'kafka-exporter');
    const empty = await waitFor(
      async () => {
        const missing: string[] = [];
        for (const q of queries)
          if ((await prometheus.query(substitute(q.expr))).length === 0) missing.push(q.title);
        return missing.length === 0 ? missing : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2_000, what: 'data in every panel of dashboard 7589' },
    ).catch((err) => [String(err)]);
    console.log(`dashboard 7589 panels with data: ${queries.length - empty.length}/${queries.length}`);
    expect(empty).toEqual([]);
  });
});
