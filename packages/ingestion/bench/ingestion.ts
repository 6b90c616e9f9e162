/**
 * `pnpm bench:ingestion` — the same N pre-produced events consumed (a) raw by kafkajs with a no-op
 * handler and (b) by full ingestion into PostgreSQL (the service's consumer with its defaults: byte
 * fast path and aggregation thread, one transaction per group of polled batches), with metrics on
 * and off. Times run from the first batch to the last event committed (the group join is excluded
 * from both). BENCH_ROUNDS rounds (default 6, so that metrics-on and metrics-off go first equally
 * often), each a raw consume and an on/off pair; A and B are medians, the overhead is the median of
 * the per-pair overheads. Each measurement runs in its own child process (see inChild).
 * BENCH_CPU=1 also prints the CPU seconds of each measured window by consumer: the Node main
 * thread, the other Node threads (zlib, GC helpers, the aggregation thread), PostgreSQL, the broker.
 * Last line: `ingestion: <A> events/s, raw consume: <B> events/s, ratio <A/B>`.
 *
 * Servers: throwaway ones from testkit (Kafka = librdkafka mock cluster, PostgreSQL 15), unless
 * BENCH_KAFKA_BROKERS and BENCH_DATABASE_URL point at existing ones. BENCH_EVENTS sets N.
 * Events are produced gzip-compressed: the mock cluster keeps only about 5 MB per partition, so
 * 500,000 uncompressed lines (~44 MB over its 4 auto-created partitions) would be partly dropped.
 */

import { execFile } from 'node:child_process';
import { EventGenerator } from '@reelwatch/event-producer';
import { createMetricsRegistry } from '@reelwatch/service-kit';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import type { PartitionBatch } from '../src/batch-types';
import { BatchWriter } from '../src/batch-writer';
import { IngestionConsumer } from '../src/ingestion-consumer';
import { IngestionMetrics } from '../src/ingestion-metrics';
import { migrate } from '../src/migrations';
import type { WritableAggregate } from '../src/write-statement';

const N = Number(process.env.BENCH_EVENTS ?? 500_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
/**
 * The kafkajs consumer settings of both sides (the service's defaults, see IngestionConsumer): the raw
 * baseline and the ingestion consumer fetch exactly alike (maxBytes and minBytes: kafkajs defaults for both).
 */
const CONSUMER = {
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  fetchMaxWaitMs: 1_000,
  maxBytesPerPartition: 1_048_576,
} as const;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** CPU seconds so far, by consumer: this process's main thread and other threads, PostgreSQL, the broker. */
function cpuSnapshot(): Record<string, number> {
  const fs = require('node:fs') as typeof import('node:fs');
  const ticks = (statPath: string): number => {
    try {
      const stat = fs.readFileSync(statPath, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      return 0;
    }
  };
  const out: Record<string, number> = { main: 0, threads: 0, postgres: 0, broker: 0 };
  for (const tid of fs.readdirSync('/proc/self/task')) {
    out[tid === String(process.pid) ? 'main' : 'threads']! += ticks(`/proc/self/task/${tid}/stat`);
  }
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let comm = '';
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'postgres') out.postgres! += ticks(`/proc/${pid}/stat`);
    else if (comm === 'kcat') out.broker! += ticks(`/proc/${pid}/stat`);
  }
  return out;
}
function cpuSince(start: Record<string, number>): string {
  const now = cpuSnapshot();
  return Object.keys(now)
    .map((k) => `${k} ${(now[k]! - start[k]!).toFixed(2)}`)
    .join(', ');
}
let cpuAtFirst: Record<string, number> | undefined;
let cpuReport = '';
const quiet = pino({ level: 'silent' });

interface Servers {
  brokers: string[];
  databaseUrl(name: string): Promise<string>;
  destroy(): Promise<void>;
}

async function servers(): Promise<Servers> {
  const brokersEnv = process.env.BENCH_KAFKA_BROKERS;
  const dbEnv = process.env.BENCH_DATABASE_URL;
  if (brokersEnv && dbEnv) {
    const admin = new pg.Client({ connectionString: dbEnv });
    await admin.connect();
    return {
      brokers: brokersEnv.split(','),
      async databaseUrl(name) {
        await admin.query(`CREATE DATABASE ${name}`);
        // The previous run's dirty pages are written now, not during the next measurement
        // (CHECKPOINT needs a superuser or pg_checkpoint; without it the bench just goes on).
        await admin.query('CHECKPOINT').catch(() => undefined);
        const url = new URL(dbEnv);
        url.pathname = `/${name}`;
        return url.toString();
      },
      destroy: () => admin.end(),
    };
  }
  const { startKafka, startPostgres } = await import('@reelwatch/testkit');
  const kafka = await startKafka({ brokers: 1 });
  const postgres = await startPostgres({ replica: false });
  return {
    brokers: kafka.brokers,
    async databaseUrl(name) {
      const url = postgres.primary.url(await postgres.createDatabase(name));
      await postgres.primary.query('CHECKPOINT');
      return url;
    },
    async destroy() {
      await kafka.destroy();
      await postgres.destroy();
    },
  };
}

async function produce(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer({
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const generator = new EventGenerator({ seed: 42, malformedRatio: 0.001 });
  let batch: { key: string; value: string }[] = [];
  for (const e of generator.take(N)) {
    batch.push({ key: e.key, value: e.line });
    if (batch.length === 10_000) {
      await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: batch });
      batch = [];
    }
  }
  if (batch.length > 0)
    await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: batch });
  await producer.disconnect();
}

/** (a) kafkajs consumer group, no-op handler: events/s from the first batch to the last event. */
async function rawConsume(kafka: Kafka, topic: string, round: number): Promise<number> {
  const consumer = kafka.consumer({
    groupId: `bench-raw-${round}-${Date.now()}`,
    sessionTimeout: CONSUMER.sessionTimeoutMs,
    heartbeatInterval: CONSUMER.heartbeatIntervalMs,
    maxWaitTimeInMs: CONSUMER.fetchMaxWaitMs,
    maxBytesPerPartition: CONSUMER.maxBytesPerPartition,
    retry: { retries: 8 },
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let first = 0n;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  let end = 0n;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (first === 0n) {
        first = process.hrtime.bigint();
        if (round >= 0 && process.env.BENCH_CPU) cpuAtFirst = cpuSnapshot();
      }
      seen += batch.messages.length;
      if (seen >= N) {
        end = process.hrtime.bigint();
        if (cpuAtFirst) cpuReport = cpuSince(cpuAtFirst);
        done();
      }
    },
  });
  await finished;
  await consumer.disconnect();
  return N / (Number(end - first) / 1e9);
}

/** (b) full ingestion in one process: consumer + parser + aggregator + BatchWriter into PostgreSQL. */
async function ingest(
  kafka: Kafka,
  topic: string,
  databaseUrl: string,
  withMetrics: boolean,
): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  await migrate(pool, quiet);
  const groupId = `bench-ingest-${withMetrics ? 'on' : 'off'}-${Date.now()}`;
  const writer = new BatchWriter({ pool, consumerGroup: groupId });
  let applied = 0;
  let transactions = 0;
  let first = 0n;
  let end = 0n;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  // Count what was committed by wrapping writeMany(): the clock stops when all N are in PostgreSQL.
  const writeMany = writer.writeMany.bind(writer);
  writer.writeMany = async (batches: PartitionBatch[], preAggregated?: WritableAggregate) => {
    const result = await writeMany(batches, preAggregated);
    transactions++;
    applied += result.applied;
    if (applied >= N) {
      end = process.hrtime.bigint();
      if (cpuAtFirst) cpuReport = `${cpuSince(cpuAtFirst)}; ${transactions} transactions`;
      done();
    }
    return result;
  };
  // The clock starts when kafkajs hands over the first batch, as for the raw consumer (not at the
  // first transaction, which comes a group linger later).
  const consumerOf = kafka.consumer.bind(kafka);
  const timed = Object.create(kafka) as Kafka;
  timed.consumer = (config) => {
    const c = consumerOf(config);
    c.on(c.events.START_BATCH_PROCESS, () => {
      if (first !== 0n) return;
      first = process.hrtime.bigint();
      if (process.env.BENCH_CPU) cpuAtFirst = cpuSnapshot();
    });
    return c;
  };
  const consumer = new IngestionConsumer({
    kafka: timed,
    topic,
    groupId,
    writer,
    logger: quiet,
    ...CONSUMER,
    ...(withMetrics
      ? { metrics: new IngestionMetrics(createMetricsRegistry({ service: 'ingestion' })) }
      : {}),
  });
  await consumer.start();
  await finished;
  await consumer.stop();
  await pool.end();
  return N / (Number(end - first) / 1e9);
}

async function main(): Promise<void> {
  const s = await servers();
  try {
    const kafka = new Kafka({ brokers: s.brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
    const topic = `bench-${Date.now()}`;
    const t0 = Date.now();
    await produce(kafka, topic);
    log(`produced ${N} events into ${topic} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const raw: number[] = [];
    const on: number[] = [];
    const off: number[] = [];
    const overheads: number[] = [];
    // Interleaved so background load on the shared machine hits every variant alike: each round is
    // one raw consume and one metrics-on/metrics-off pair, the pair's order alternating by round.
    for (let round = 0; round < ROUNDS; round++) {
      raw.push(await inChild({ kind: 'raw', brokers: s.brokers, topic, round }));
      log(`round ${round + 1}: raw consume ${raw[round]!.toFixed(0)} events/s`);
      const pair: Record<'on' | 'off', number> = { on: 0, off: 0 };
      for (const variant of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const url = await s.databaseUrl(`bench_${variant}_${round}_${Date.now()}`);
        pair[variant] = await inChild({ kind: variant, brokers: s.brokers, topic, round, databaseUrl: url });
        log(`round ${round + 1}: ingestion, metrics ${variant} ${pair[variant].toFixed(0)} events/s`);
      }
      on.push(pair.on);
      off.push(pair.off);
      overheads.push((1 - pair.on / pair.off) * 100);
    }
    const A = median(on);
    const B = median(raw);
    const range = (xs: number[], digits = 0) =>
      `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;
    log(`raw consume: median ${B.toFixed(0)} events/s (range ${range(raw)})`);
    log(`ingestion, metrics on: median ${A.toFixed(0)} events/s (range ${range(on)})`);
    log(`ingestion, metrics off: median ${median(off).toFixed(0)} events/s (range ${range(off)})`);
    log(`ratio per round: ${on.map((x, i) => (x / raw[i]!).toFixed(2)).join(', ')}`);
    log(
      `machine: ${require('node:os').cpus().length} cores, Node ${process.versions.node}, N=${N}, ${ROUNDS} rounds`,
    );
    log(
      `metrics overhead: median ${median(overheads).toFixed(1)}% over ${ROUNDS} on/off pairs (per pair: ${overheads.map((x) => `${x.toFixed(1)}%`).join(', ')})`,
    );
    log(
      `ingestion: ${A.toFixed(0)} events/s, raw consume: ${B.toFixed(0)} events/s, ratio ${(A / B).toFixed(2)}`,
    );
  } finally {
    await s.destroy();
  }
}

interface ChildJob {
  kind: 'raw' | 'on' | 'off';
  brokers: string[];
  topic: string;
  round: number;
  databaseUrl?: string;
}

/**
 * Every measurement runs in a fresh Node process: prom-client's default metrics (GC observer,
 * event-loop delay monitor) cannot be stopped once started, so in one process a metrics-on run
 * would keep costing every later run, the baseline and the metrics-off runs included. Each child
 * first makes one untimed raw pass over the topic (JIT warm-up), whatever it then measures.
 */
function inChild(job: ChildJob): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, __filename, '--child', JSON.stringify(job)],
      { maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        const rate = /^RESULT (\S+)$/m.exec(stdout)?.[1];
        const cpu = /^CPU (.+)$/m.exec(stdout)?.[1];
        if (cpu) log(`  ${job.kind}: CPU seconds in the measured window: ${cpu}`);
        if (err || !rate)
          reject(new Error(`bench child ${job.kind} failed: ${err?.message ?? ''} ${stderr}`));
        else resolve(Number(rate));
      },
    );
  });
}

async function child(job: ChildJob): Promise<void> {
  const kafka = new Kafka({ brokers: job.brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
  // Untimed warm-up, the same for every kind: one raw pass over the topic, so kafkajs's fetch and
  // decode code is optimised before the measured pass (a cold process would slow the short baseline).
  await rawConsume(kafka, job.topic, -1);
  const rate =
    job.kind === 'raw'
      ? await rawConsume(kafka, job.topic, job.round)
      : await ingest(kafka, job.topic, job.databaseUrl!, job.kind === 'on');
  if (cpuReport) log(`CPU ${cpuReport}`);
  log(`RESULT ${rate}`);
  process.exit(0); // kafkajs/pg leftovers must not hold the measurement up (stdout to a pipe is synchronous)
}

(process.argv[2] === '--child' ? child(JSON.parse(process.argv[3]!) as ChildJob) : main()).catch((err) => {
  process.stderr.write(
    `bench:ingestion failed: ${err instanceof Error ? (err.stack ?? err.message) : err}\n`,
  );
  process.exit(1);
});
