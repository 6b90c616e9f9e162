#!/usr/bin/env node
import {
  CONFIG_EXIT_CODE,
  createLogger,
  createMetricsRegistry,
  Lifecycle,
  loadConfigOrExit,
} from '@reelwatch/service-kit';
import { startPgExporter } from './app';
import { configSchema, parseFlags, toExporterConfig } from './config';

async function main(): Promise<void> {
  let overrides: Record<string, string>;
  try {
    overrides = parseFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`pg-exporter: invalid command line: ${(err as Error).message}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  const raw = loadConfigOrExit('pg-exporter', configSchema, {
    env: { ...process.env, ...overrides },
    prefixes: ['PG_EXPORTER_', 'DATA_SOURCE_'],
  });
  let config: ReturnType<typeof toExporterConfig>;
  try {
    config = toExporterConfig(raw);
  } catch (err) {
    process.stderr.write(`pg-exporter: invalid configuration: ${(err as Error).message}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  const logger = createLogger({ service: 'pg-exporter', level: config.logLevel });
  const lifecycle = new Lifecycle({ logger }).install();
  const registry = createMetricsRegistry({ service: 'pg-exporter' });
  const app = await startPgExporter(config, logger, () => registry.metrics());
  lifecycle.onShutdown('http and connections', () => app.close());
}

void main();
