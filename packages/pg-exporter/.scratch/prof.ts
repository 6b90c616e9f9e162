import pg from 'pg';
import { SQL } from '../src/collectors/stat_user_tables';
import { SQL as SQLIO } from '../src/collectors/statio_user_tables';
import { statUserTables } from '../src/collectors/stat_user_tables';
(async () => {
  const c = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:55432/b1' });
  await c.connect();
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    const r = await c.query(SQL);
    const q1 = performance.now() - t;
    t = performance.now();
    await c.query(SQLIO);
    const q2 = performance.now() - t;
    t = performance.now();
    await c.query({ text: SQL, rowMode: 'array' });
    const q3 = performance.now() - t;
    t = performance.now();
    const s = await statUserTables.collect({ query: async (sql: string) => (await c.query(sql)).rows, version: 150000, isReplica: false, database: 'b1', databases: [], excludeDatabases: [], options: {} as never } as never);
    const q4 = performance.now() - t;
    console.log(`stat_user_tables ${q1.toFixed(1)} ms rows=${r.rows.length}, statio ${q2.toFixed(1)} ms, arrayMode ${q3.toFixed(1)}, collect ${q4.toFixed(1)} samples=${s.length}`);
  }
  // server-side time
  const ex = await c.query(`EXPLAIN (ANALYZE, TIMING OFF) ${SQL}`);
  console.log(ex.rows.slice(-2));
  const t = performance.now();
  const fresh = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:55432/b2' });
  await fresh.connect();
  const t1 = performance.now();
  await fresh.query(SQL);
  const t2 = performance.now();
  await fresh.query(SQL);
  console.log(`connect ${(t1 - t).toFixed(1)} cold query ${(t2 - t1).toFixed(1)} warm ${(performance.now() - t2).toFixed(1)}`);
  await fresh.end();
  await c.end();
})();
