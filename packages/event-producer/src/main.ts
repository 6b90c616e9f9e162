#!/usr/bin/env node
import { createReadStream } from 'node:fs';
import {
  createLogger,
  createMetricsRegistry,
  kafkaLogCreator,
  Lifecycle,
  loadConfigOrExit,
  Readiness,
  ReelwatchError,
  startHttpServer,
} from '@reelwatch/service-kit';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { type ProducerConfig, producerConfigSchema } from './config';
import { EventGenerator } from './event-generator';
import { EventSender } from './event-sender';
import { ProducerMetrics } from './producer-metrics';
import { runGenerator, runReplay } from './stream-runner';

const SERVICE = 'event-producer';

async function main(): Promise<void> {
  const config = loadConfigOrExit(SERVICE, producerConfigSchema, { prefixes: ['PRODUCER_'] });
  const logger = createLogger({ service: SERVICE, level: config.PRODUCER_LOG_LEVEL });
  const lifecycle = new Lifecycle({ logger, deadlineMs: config.PRODUCER_SHUTDOWN_DEADLINE_MS }).install();
  const registry = createMetricsRegistry({ service: SERVICE });
  const metrics = new ProducerMetrics(registry);
  const readiness = new Readiness();
  let connected = false;
  readiness.add('kafka', () => {
    if (!connected) throw new ReelwatchError('KAFKA_NOT_CONNECTED', 'producer not connected to Kafka');
  });
  const http = await startHttpServer({
    service: SERVICE,
    host: config.PRODUCER_HTTP_HOST,
    port: config.PRODUCER_HTTP_PORT,
    registry,
    logger,
    readiness,
  });
  logger.info({ url: http.url }, 'http server listening');

  const producer = createProducer(config, logger);
  let work: Promise<unknown> = Promise.resolve();
  lifecycle.onShutdown('producer', async () => {
    await work.catch(() => undefined);
    await producer.disconnect();
  });
  lifecycle.onShutdown('http', () => http.close());

  await producer.connect();
  connected = true;
  const sender = new EventSender(producer, config.PRODUCER_TOPIC, logger.child({ unit: 'sender' }), metrics);
  logger.info({ mode: config.PRODUCER_MODE, topic: config.PRODUCER_TOPIC }, 'producing');
  work = produce(config, sender, lifecycle.signal);
  const sent = await work;
  if (!lifecycle.stopping) {
    logger.info({ sent }, 'all events sent');
    await lifecycle.shutdown('finished');
  }
}

function createProducer(config: ProducerConfig, logger: Logger): Producer {
  const kafka = new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger.child({ unit: 'kafkajs' })),
  });
  return kafka.producer({
    idempotent: config.PRODUCER_IDEMPOTENT,
    // One request in flight: a retried request cannot be overtaken, so a key's order is kept.
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 8 },
  });
}

/** Generates or replays events until done or stopped; resolves to the number sent. */
function produce(config: ProducerConfig, sender: EventSender, signal: AbortSignal): Promise<number> {
  if (config.PRODUCER_MODE === 'generate') {
    const generator = new EventGenerator({
      seed: config.PRODUCER_SEED,
      clock: 'wall',
      initialUsers: config.PRODUCER_INITIAL_USERS,
      initialMovies: config.PRODUCER_INITIAL_MOVIES,
      newUserProbability: config.PRODUCER_NEW_USER_PROBABILITY,
      newMovieProbability: config.PRODUCER_NEW_MOVIE_PROBABILITY,
      malformedRatio: config.PRODUCER_MALFORMED_RATIO,
    });
    return runGenerator({
      generator,
      sender,
      rate: config.PRODUCER_RATE,
      maxEvents: config.PRODUCER_MAX_EVENTS,
      batchMax: config.PRODUCER_BATCH_MAX,
      signal,
    });
  }
  const input =
    config.PRODUCER_REPLAY_FILE === '-' ? process.stdin : createReadStream(config.PRODUCER_REPLAY_FILE);
  return runReplay({
    input,
    sender,
    speed: config.PRODUCER_REPLAY_SPEED,
    batchMax: config.PRODUCER_BATCH_MAX,
    signal,
  });
}

main().catch((err) => {
  process.stderr.write(
    `event-producer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
