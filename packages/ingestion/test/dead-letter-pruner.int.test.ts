import pg from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { DeadLetterPruner, type DeadLetterPrunerOptions } from '../src/dead-letter-pruner';
import { migrate } from '../src/migrations';
import { useServers } from './support/servers';

const quiet = pino({ level: 'silent' });
const servers = useServers({ kafka: false });

async function freshPool(): Promise<pg.Pool> {
  const { postgres } = servers;
  const pool = new pg.Pool({
    connectionString: postgres.primary.url(await postgres.createDatabase()),
    max: 3,
  });
  servers.onTeardown(() => pool.end());
  await migrate(pool, quiet);
  return pool;
}

/** `n` dead letters at offsets from `from`, received `ageDays` ago. */
async function insertDeadLetters(pool: pg.Pool, from: number, n: number, ageDays: number): Promise<void> {
  await pool.query(
    `INSERT INTO dead_letters (topic, partition, kafka_offset, reason, detail, raw_text, raw_length, received_at)
     SELECT 't', 0, o, 'empty_line', 'empty message', '', 0, now() - make_interval(days => $3::integer)
     FROM generate_series($1::bigint, $1::bigint + $2::bigint - 1) AS o`,
    [from, n, ageDays],
  );
}

async function offsets(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ o: string }>('SELECT kafka_offset AS o FROM dead_letters ORDER BY 1');
  return rows.map((r) => Number(r.o));
}

function pruner(pool: pg.Pool, options: Partial<DeadLetterPrunerOptions>) {
  const registry = new Registry();
  const p = new DeadLetterPruner({
    pool,
    logger: quiet,
    registry,
    retentionDays: 0,
    maxRows: 0,
    batchSize: 100,
    intervalMs: 100,
    ...options,
  });
  const pruned = async (limit: string) =>
    (await registry.getSingleMetric('reelwatch_ingestion_dead_letters_pruned_total')!.get()).values.find(
      (v) => v.labels.limit === limit,
    )?.value;
  return { pruner: p, pruned };
}

test('DeadLetterPruner deletes the dead letters older than the retention, in batches, and counts them', async () => {
  const pool = await freshPool();
  await insertDeadLetters(pool, 0, 1_050, 40);
  await insertDeadLetters(pool, 1_050, 30, 10);
  const { pruner: p, pruned } = pruner(pool, { retentionDays: 30, batchSize: 100 });
  expect(await p.pruneOnce()).toEqual({ age: 1_050, rows: 0 });
  expect(await offsets(pool)).toEqual(Array.from({ length: 30 }, (_, i) => 1_050 + i));
  expect(await pruned('age')).toBe(1_050);
  expect(await pruned('rows')).toBe(0);
  expect(await p.pruneOnce()).toEqual({ age: 0, rows: 0 });
});

test('DeadLetterPruner keeps only the newest INGESTION_DEAD_LETTER_MAX_ROWS rows', async () => {
  const pool = await freshPool();
  await insertDeadLetters(pool, 0, 2_500, 0);
  const { pruner: p, pruned } = pruner(pool, { maxRows: 700, batchSize: 250 });
  expect(await p.pruneOnce()).toEqual({ age: 0, rows: 1_800 });
  expect(await offsets(pool)).toEqual(Array.from({ length: 700 }, (_, i) => 1_800 + i));
  expect(await pruned('rows')).toBe(1_800);
  // Below the limit: nothing to do.
  expect(await p.pruneOnce()).toEqual({ age: 0, rows: 0 });
});

test('DeadLetterPruner never waits for rows another transaction holds: it skips them and leaves them for the next round', async () => {
  const pool = await freshPool();
  await insertDeadLetters(pool, 0, 300, 40);
  const holder = await pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM dead_letters WHERE kafka_offset < 10 FOR UPDATE');
    const { pruner: p } = pruner(pool, { retentionDays: 1, batchSize: 50 });
    const started = Date.now();
    const done = await p.pruneOnce();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(done.age).toBe(290);
    await holder.query('COMMIT');
    expect(await p.pruneOnce()).toEqual({ age: 10, rows: 0 });
  } finally {
    holder.release();
  }
  expect(await offsets(pool)).toEqual([]);
});

test('DeadLetterPruner started with an interval prunes by itself, and stop ends the schedule', async () => {
  const pool = await freshPool();
  await insertDeadLetters(pool, 0, 120, 0);
  const { pruner: p, pruned } = pruner(pool, { maxRows: 20, intervalMs: 100, batchSize: 30 });
  p.start();
  try {
    const deadline = Date.now() + 10_000;
    while ((await offsets(pool)).length > 20) {
      if (Date.now() > deadline) throw new Error('the pruner did not run within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await p.stop();
  }
  expect(await pruned('rows')).toBe(100);
  await insertDeadLetters(pool, 120, 50, 0);
  await new Promise((r) => setTimeout(r, 400)); // several intervals: a stopped pruner must not run
  expect((await offsets(pool)).length).toBe(70);
});

test('DeadLetterPruner with both limits at 0 is disabled and never schedules a round', async () => {
  const pool = await freshPool();
  const { pruner: p } = pruner(pool, {});
  expect(p.enabled).toBe(false);
  p.start();
  await p.stop();
});
