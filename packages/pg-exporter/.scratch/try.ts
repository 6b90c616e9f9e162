import pino from 'pino';
import { Exporter } from '/work/wt/pg-exporter/packages/pg-exporter/src/exporter';
import { COLLECTORS } from '/work/wt/pg-exporter/packages/pg-exporter/src/collectors';
import { parseDsn } from '/work/wt/pg-exporter/packages/pg-exporter/src/dsn';
(async () => {
  const all = process.env.ALL === '1';
  const e = new Exporter({
    sources: [parseDsn('postgresql://postgres@127.0.0.1:55432/postgres'), parseDsn('postgresql://postgres@127.0.0.1:55433/postgres')],
    collectors: COLLECTORS.filter((c) => all || c.defaultEnabled),
    logger: pino({ level: 'info' }),
    collectionTimeoutMs: 5000, statementTimeoutMs: 3000, connectTimeoutMs: 2000, maxConnections: 3,
    includeDatabases: [], excludeDatabases: [], constantLabels: {}, autoDiscoverDatabases: false,
    collectorOptions: { statStatements: { includeQuery: false, queryLength: 120, limit: 100 } },
  });
  const t0 = performance.now();
  const text = await e.render();
  console.error('ms', performance.now() - t0);
  process.stdout.write(text);
  await e.close();
})();
