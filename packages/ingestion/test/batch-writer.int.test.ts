import { EventGenerator } from '@reelwatch/event-producer';
import pg from 'pg';
import pino from 'pino';
import { BatchAggregator } from '../src/batch-aggregator';
import type { ParsedMessage, PartitionBatch } from '../src/batch-types';
import { BatchWriter } from '../src/batch-writer';
import { loadMigrations, migrate } from '../src/migrations';
import { parseEventLine } from '../src/parse-event-line';
import { databaseTables, describeDifferences, referenceTables } from './support/reference';
import { useServers } from './support/servers';

const quiet = pino({ level: 'silent' });
const servers = useServers({ kafka: false });

async function freshPool(): Promise<pg.Pool> {
  const { postgres } = servers;
  const pool = new pg.Pool({
    connectionString: postgres.primary.url(await postgres.createDatabase()),
    max: 2,
  });
  servers.onTeardown(() => pool.end());
  return pool;
}

const message = (offset: number, line: string): ParsedMessage => ({
  offset: String(offset),
  rawText: line,
  parsed: parseEventLine(line),
});

test('migrate applies every migration once, in order, and a second run applies nothing', async () => {
  const pool = await freshPool();
  const versions = loadMigrations().map((m) => `${m.version}_${m.name}`);
  expect(versions.length).toBeGreaterThanOrEqual(2);
  expect(await migrate(pool, quiet)).toEqual(versions);
  expect(await migrate(pool, quiet)).toEqual([]);
  const rows = await pool.query('SELECT version FROM schema_migrations ORDER BY version');
  expect(rows.rows.map((r) => r.version)).toEqual(loadMigrations().map((m) => m.version));
});

/** The aggregate the consumer builds as batches arrive (parse, then add or dead-letter). */
function aggregateOf(batches: PartitionBatch[]): BatchAggregator {
  const aggregate = new BatchAggregator();
  for (const b of batches) {
    for (const m of b.messages) aggregate.addParsed(m.parsed, b.partition, m.offset, m.rawText);
  }
  return aggregate;
}

test('BatchWriter uses an aggregate built on arrival only when the batches continue the stored offsets', async () => {
  const pool = await freshPool();
  await migrate(pool, quiet);
  const writer = new BatchWriter({ pool, consumerGroup: 'g' });
  const events = [...new EventGenerator({ seed: 5, malformedRatio: 0.01 }).take(20_000)];
  const partitions: ParsedMessage[][] = [[], []];
  for (const e of events) {
    const p = partitions[Number(e.key.replace(/\D/g, '') || '0') % 2]!;
    p.push(message(p.length, e.line));
  }
  const slice = (from: number, to: number): PartitionBatch[] =>
    [0, 1].map((p) => ({ topic: 't', partition: p, messages: partitions[p]!.slice(from, to) }));
  let applied = 0;
  let next = 0; // stored offset + 1 of both partitions
  while (next + 1600 <= 6000) {
    // Two partitions, two consecutive batches each, in one transaction with one aggregate.
    const batches = [...slice(next, next + 700), ...slice(next + 700, next + 1500)];
    const result = await writer.writeMany(batches, aggregateOf(batches));
    expect(result.applied).toBe(3000);
    applied += result.applied;
    // A replay overlapping what was just written, with its (now wrong) aggregate: the guard wins.
    const replay = slice(next + 1000, next + 1600);
    const again = await writer.writeMany(replay, aggregateOf(replay));
    expect(again.duplicates).toBe(1000);
    expect(again.applied).toBe(200);
    applied += again.applied;
    next += 1600;
  }
  const rest = [0, 1].map((p) => ({ topic: 't', partition: p, messages: partitions[p]!.slice(next) }));
  applied += (await writer.writeMany(rest, aggregateOf(rest))).applied;
  expect(applied).toBe(events.length);
  const tables = await databaseTables(async (sql) => (await pool.query(sql)).rows);
  expect(describeDifferences(tables, referenceTables(events))).toBe('');
});

test('BatchWriter applies batches exactly once: replayed and overlapping batches change nothing', async () => {
  const pool = await freshPool();
  await migrate(pool, quiet);
  const writer = new BatchWriter({ pool, consumerGroup: 'g' });
  const events = [...new EventGenerator({ seed: 3, malformedRatio: 0.01 }).take(30_000)];
  const partitions: ParsedMessage[][] = [[], [], []];
  for (const e of events) {
    const p = partitions[Number(e.key.replace(/\D/g, '') || '0') % 3]!;
    p.push(message(p.length, e.line));
  }
  let applied = 0;
  let duplicates = 0;
  for (let p = 0; p < 3; p++) {
    const msgs = partitions[p]!;
    for (let i = 0; i < msgs.length; i += 2000) {
      applied += (await writer.write({ topic: 't', partition: p, messages: msgs.slice(i, i + 2000) }))
        .applied;
      // A replay of the tail of the previous batch plus this one: all duplicates.
      const again = await writer.write({
        topic: 't',
        partition: p,
        messages: msgs.slice(Math.max(0, i - 50), i + 2000),
      });
      expect(again.applied).toBe(0);
      duplicates += again.duplicates;
    }
  }
  expect(applied).toBe(events.length);
  expect(duplicates).toBeGreaterThan(events.length);
  const tables = await databaseTables(async (sql) => (await pool.query(sql)).rows);
  expect(describeDifferences(tables, referenceTables(events))).toBe('');
  const stored = await writer.storedOffsets('t', [0, 1, 2, 3]);
  expect([...stored.values()]).toEqual([...partitions.map((p) => BigInt(p.length - 1)), -1n]);
});

test('BatchWriter writes nothing for a batch that starts after the stored offset + 1, unless the gap is accepted', async () => {
  const pool = await freshPool();
  await migrate(pool, quiet);
  const writer = new BatchWriter({ pool, consumerGroup: 'g' });
  const line = '2026-01-01T00:00:00Z,1,GET /rate/x=3';
  await writer.write({ topic: 't', partition: 0, messages: [message(0, line)] });
  const gap = await writer.write({ topic: 't', partition: 0, messages: [message(5, line)] });
  expect(gap.gapResumeAt).toBe(1n);
  expect(gap.applied).toBe(0);
  const accepted = await writer.write({
    topic: 't',
    partition: 0,
    messages: [message(5, line)],
    acceptGap: true,
  });
  expect(accepted.applied).toBe(1);
  expect(accepted.lastOffset).toBe(5n);
  const rows = await pool.query('SELECT rate_events FROM users WHERE user_id = 1');
  expect(rows.rows).toEqual([{ rate_events: '2' }]);
});

test('BatchWriter stores a dead letter with its coordinates and reason, NUL bytes replaced', async () => {
  const pool = await freshPool();
  await migrate(pool, quiet);
  const writer = new BatchWriter({ pool, consumerGroup: 'g' });
  const result = await writer.write({
    topic: 'dl',
    partition: 2,
    messages: [message(0, 'bad\u0000line'), message(1, '2026-01-01T00:00:00Z,1,GET /rate/x=9')],
  });
  expect(result.appliedByType.malformed).toBe(2);
  expect([...result.deadLetters]).toEqual([
    ['control_character', 1],
    ['rating_invalid', 1],
  ]);
  const rows = await pool.query(
    'SELECT topic, partition, kafka_offset, reason, raw_text FROM dead_letters ORDER BY kafka_offset',
  );
  expect(rows.rows).toEqual([
    { topic: 'dl', partition: 2, kafka_offset: '0', reason: 'control_character', raw_text: 'bad\uFFFDline' },
    {
      topic: 'dl',
      partition: 2,
      kafka_offset: '1',
      reason: 'rating_invalid',
      raw_text: '2026-01-01T00:00:00Z,1,GET /rate/x=9',
    },
  ]);
});
