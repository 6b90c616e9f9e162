import pino from 'pino';
import { COLLECTORS } from '../src/collectors';
import { parseDsn } from '../src/dsn';
import { Exporter } from '../src/exporter';
import { ExpositionWriter } from '../src/exposition';
(async () => {
  const e = new Exporter({
    sources: [parseDsn('postgresql://postgres@127.0.0.1:55432/postgres')],
    collectors: COLLECTORS.filter((c) => c.defaultEnabled),
    logger: pino({ level: 'warn' }),
    collectionTimeoutMs: 5000, statementTimeoutMs: 3000, connectTimeoutMs: 2000, maxConnections: 2, maxIdleConnections: 6,
    includeDatabases: [], excludeDatabases: [], constantLabels: {}, autoDiscoverDatabases: false,
    collectorOptions: { statStatements: { includeQuery: false, queryLength: 120, limit: 100 } },
  });
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    await e.render();
    times.push(performance.now() - t0);
  }
  console.log('render ms', times.map((t) => t.toFixed(0)).join(' '));
  // pure writer cost for 27k samples
  const labels = { datname: 'b1', schemaname: 'public', relname: 't_1' };
  const rows = Array.from({ length: 1125 }, (_, r) => ({ ...labels, relname: `t_${r}` })); const samples = Array.from({ length: 27000 }, (_, i) => ({ name: `pg_stat_user_tables_x${i % 24}`, help: 'h', type: 'counter' as const, labels: rows[Math.floor(i / 24)]!, value: i }));
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    const w = new ExpositionWriter();
    w.addAll(samples, { server: 'x:1/postgres' });
    w.finish();
    console.log('writer ms', (performance.now() - t0).toFixed(1));
  }
  await e.close();
})();
