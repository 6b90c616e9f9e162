import { existsSync } from 'node:fs';
import path from 'node:path';
import type { GeneratedEvent } from '@reelwatch/event-producer';
import { freePort, type PgServer, type ServiceProcess, startService } from '@reelwatch/testkit';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';

export const INGESTION_ENTRY = path.resolve(__dirname, '../../dist/main.js');

export function requireBuilt(): void {
  if (!existsSync(INGESTION_ENTRY)) {
    throw new Error(`${INGESTION_ENTRY} is missing: build first (pnpm build)`);
  }
}

let unique = 0;
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${unique++}`;
}

/**
 * Produces events keyed by user id, acks from all in-sync replicas, gzip-compressed: the mock
 * cluster keeps only about 5 MB per partition, which 200,000 plain lines would overflow.
 */
export async function produceEvents(
  brokers: string[],
  topic: string,
  events: GeneratedEvent[],
): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'test-producer', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 5000) {
      await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: events.slice(i, i + 5000).map((e) => ({ key: e.key, value: e.line })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface IngestionTarget {
  brokers: string[];
  topic: string;
  group: string;
  databaseUrl: string;
}

/** Starts the built ingestion service with test-friendly group timings (fast rebalances). */
export async function startIngestion(
  target: IngestionTarget,
  extraEnv: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  return startService({
    entry: INGESTION_ENTRY,
    port,
    timeoutMs: 30_000,
    env: {
      KAFKA_BROKERS: target.brokers.join(','),
      INGESTION_TOPIC: target.topic,
      INGESTION_GROUP_ID: target.group,
      DATABASE_URL: target.databaseUrl,
      INGESTION_HTTP_HOST: '127.0.0.1',
      INGESTION_HTTP_PORT: String(port),
      INGESTION_SESSION_TIMEOUT_MS: '3000',
      INGESTION_HEARTBEAT_INTERVAL_MS: '300',
      INGESTION_FETCH_MAX_WAIT_MS: '200',
      INGESTION_RETRY_INITIAL_MS: '100',
      INGESTION_RETRY_MAX_MS: '1000',
      INGESTION_LAG_CACHE_MS: '0',
      INGESTION_LOG_LEVEL: 'info',
      ...extraEnv,
    },
  });
}

/** Messages applied so far: offsets start at 0 in a fresh topic, so sum(last_offset + 1). */
export async function appliedCount(pg: PgServer, database: string, group: string): Promise<number> {
  try {
    const rows = await pg.query<{ n: string | null }>(
      'SELECT sum(last_offset + 1) AS n FROM ingestion_offsets WHERE consumer_group = $1',
      [group],
      database,
    );
    return Number(rows[0]?.n ?? 0);
  } catch {
    return 0; // schema not migrated yet, or the server is down
  }
}

/** Parses a Prometheus text exposition into `name{labels}` -> value (service label dropped). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? '')
      .replace(/^\{|\}$/g, '')
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter((l) => l && !l.startsWith('service='))
      .sort()
      .join(',');
    out.set(labels ? `${m[1]}{${labels}}` : m[1]!, Number(m[3]));
  }
  return out;
}

export async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  return response.text();
}

/** Offsets per partition: the broker's low and high watermarks. */
export async function watermarks(
  brokers: string[],
  topic: string,
): Promise<Map<number, { low: bigint; high: bigint }>> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]));
  } finally {
    await admin.disconnect();
  }
}
