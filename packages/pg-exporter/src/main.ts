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
import { ExporterError } from './errors';

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
  let app: Awaited<ReturnType<typeof startPgExporter>>;
  try {
    app = await startPgExporter(config, logger, () => registry.metrics());
  } catch (err) {
    // unreadable web or auth config files are configuration errors, not crashes
    if (
      err instanceof ExporterError &&
      (err.code === 'WEB_CONFIG_INVALID' || err.code === 'AUTH_CONFIG_INVALID')
    ) {
      process.stderr.write(`pg-exporter: invalid configuration: ${err.message}\n`);
      process.exit(CONFIG_EXIT_CODE);
    }
    throw err;
  }
  lifecycle.onShutdown('http and connections', () => app.close());
}

void main();
