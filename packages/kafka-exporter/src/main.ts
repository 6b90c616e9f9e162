#!/usr/bin/env node
import {
  CONFIG_EXIT_CODE,
  createLogger,
  createMetricsRegistry,
  Lifecycle,
  loadConfigOrExit,
} from '@reelwatch/service-kit';
import { startKafkaExporter } from './app';
import { configSchema, parseFlags, toExporterConfig } from './config';

async function main(): Promise<void> {
  let overrides: Record<string, string>;
  try {
    overrides = parseFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`kafka-exporter: invalid command line: ${(err as Error).message}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  const raw = loadConfigOrExit('kafka-exporter', configSchema, {
    env: { ...process.env, ...overrides },
    prefixes: ['KAFKA_EXPORTER_'],
  });
  let config: ReturnType<typeof toExporterConfig>;
  try {
    config = toExporterConfig(raw);
  } catch (err) {
    process.stderr.write(`kafka-exporter: invalid configuration: ${(err as Error).message}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  const logger = createLogger({ service: 'kafka-exporter', level: config.logLevel });
  const lifecycle = new Lifecycle({ logger }).install();
  const registry = createMetricsRegistry({ service: 'kafka-exporter' });
  const app = await startKafkaExporter(config, logger, () => registry.metrics());
  lifecycle.onShutdown('http and connections', () => app.close());
}

void main();
