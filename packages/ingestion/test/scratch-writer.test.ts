import { readFileSync } from 'node:fs';
import { EventGenerator } from '@reelwatch/event-producer';
import pg from 'pg';
import pino from 'pino';
import { BatchWriter } from '../src/batch-writer';
import { migrate } from '../src/migrations';
import { parseEventLine } from '../src/parse-event-line';
import { databaseTables, describeDifferences, referenceTables } from './support/reference';

const port = readFileSync('/tmp/ingdev/port', 'utf8').trim();
test('scratch writer', async () => {
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  const db = `scratch_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/${db}` });
  await migrate(pool, pino({ level: 'silent' }));
  if (process.env.EXPLAIN)
    pool.on('connect', (c) => {
      void c.query(
        "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 20; SET auto_explain.log_analyze = true; SET auto_explain.log_nested_statements = true",
      );
    });
  const events = [...new EventGenerator({ seed: 1, malformedRatio: 0.01 }).take(100_000)];
  const writer = new BatchWriter({ pool, consumerGroup: 'g' });
  const t0 = Date.now();
  const parts = 3;
  const byPart: { offset: string; rawText: string }[][] = [[], [], []];
  for (const e of events) {
    const p = Number(BigInt(e.key.replace(/\D/g, '') || '0') % BigInt(parts));
    byPart[p]!.push({ offset: String(byPart[p]!.length), rawText: e.line });
  }
  let applied = 0;
  for (let p = 0; p < parts; p++) {
    const msgs = byPart[p]!.map((m) => ({ ...m, parsed: parseEventLine(m.rawText) }));
    for (let i = 0; i < msgs.length; i += 5000) {
      const r = await writer.write({ topic: 't', partition: p, messages: msgs.slice(i, i + 5000) });
      applied += r.applied;
      // replay overlapping batch: must be all duplicates
      const again = await writer.write({
        topic: 't',
        partition: p,
        messages: msgs.slice(Math.max(0, i - 100), i + 5000),
      });
      expect(again.applied).toBe(0);
    }
  }
  console.log('ms', Date.now() - t0, 'applied', applied);
  const actual = await databaseTables(async (sql) => (await pool.query(sql)).rows);
  expect(describeDifferences(actual, referenceTables(events))).toBe('');
  await pool.end();
});
