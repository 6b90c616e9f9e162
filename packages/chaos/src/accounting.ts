import { spawn } from 'node:child_process';
import { parseEventLine } from '@reelwatch/ingestion';
import pg from 'pg';
import type { StackHandle } from './stack-handle';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withClient<T>(config: pg.ClientConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface EventAccount {
  /** Messages in the topic (high - low watermark, summed over partitions). */
  inTopic: number;
  /** Messages the broker deleted before the run could read them (low watermarks > 0). */
  deletedByBroker: number;
  /** What the database holds: events counted in the users table plus dead letters. */
  inDatabase: number;
  byType: Record<string, { topic: number; database: number }>;
  lost: number;
  duplicated: number;
  /** Partitions whose stored offset is not at the high watermark. */
  behind: string[];
  /** Why the accounting could not be done (the counts above are then zero). */
  error?: string;
}

export const NO_ACCOUNT: EventAccount = {
  inTopic: 0,
  deletedByBroker: 0,
  inDatabase: 0,
  byType: {},
  lost: 0,
  duplicated: 0,
  behind: [],
};

/**
 * Every message in the topic counted exactly once, as an event or a dead letter: waits until
 * ingestion has stored every partition's high watermark, reads the whole topic, and compares its
 * count per type with the database (users' per-type event counters and the dead-letter rows).
 * A duplicate raises a database count, a loss lowers it.
 */
export async function accountEvents(stack: StackHandle, timeoutMs: number): Promise<EventAccount> {
  const env = await stack.env('ingestion');
  const topic = env.INGESTION_TOPIC ?? 'movie-events';
  const group = env.INGESTION_GROUP_ID ?? 'reelwatch-ingestion';
  const kcat = await stack.kcat();
  const primary = await stack.database('postgres-primary');
  const marks = await watermarks(kcat, topic);
  const deadline = Date.now() + timeoutMs;
  let behind: string[] = [];
  for (;;) {
    const stored = await withClient(primary, async (c) => {
      const { rows } = await c.query<{ partition: number; last_offset: string }>(
        'SELECT partition, last_offset FROM ingestion_offsets WHERE consumer_group = $1 AND topic = $2',
        [group, topic],
      );
      return new Map(rows.map((r) => [Number(r.partition), BigInt(r.last_offset)]));
    });
    behind = marks
      .filter(
        (m) => BigInt(m.high) > BigInt(m.low) && (stored.get(m.partition) ?? -1n) + 1n !== BigInt(m.high),
      )
      .map((m) => `${m.partition}: stored ${(stored.get(m.partition) ?? -1n) + 1n}, high ${m.high}`);
    if (behind.length === 0 || Date.now() > deadline) break;
    await sleep(1_000);
  }

  const byType: Record<string, { topic: number; database: number }> = {};
  const count = (type: string) => {
    byType[type] ??= { topic: 0, database: 0 };
    byType[type].topic++;
  };
  await readTopic(kcat, topic, marks, (value) => {
    const parsed = parseEventLine(value);
    count(parsed.ok ? parsed.event.type : 'dead_letter');
  });
  const db = await withClient(primary, async (c) => {
    const { rows } = await c.query<{ watch: string; rate: string; recommend: string; dead: string }>(
      `SELECT (SELECT coalesce(sum(watch_events), 0) FROM users) AS watch,
              (SELECT coalesce(sum(rate_events), 0) FROM users) AS rate,
              (SELECT coalesce(sum(recommend_events), 0) FROM users) AS recommend,
              (SELECT count(*) FROM dead_letters) AS dead`,
    );
    return rows[0]!;
  });
  for (const [type, n] of Object.entries({
    watch: db.watch,
    rate: db.rate,
    recommend: db.recommend,
    dead_letter: db.dead,
  })) {
    byType[type] ??= { topic: 0, database: 0 };
    byType[type].database = Number(n);
  }
  const inTopic = marks.reduce((sum, m) => sum + Number(BigInt(m.high) - BigInt(m.low)), 0);
  const inDatabase = Object.values(byType).reduce((sum, t) => sum + t.database, 0);
  const deletedByBroker = marks.reduce((sum, m) => sum + Number(m.low), 0);
  return {
    inTopic,
    deletedByBroker,
    inDatabase,
    byType,
    lost: Math.max(0, inTopic + deletedByBroker - inDatabase),
    duplicated: Math.max(0, inDatabase - inTopic - deletedByBroker),
    behind,
  };
}

type Kcat = { command: string[]; brokers: string };

/** kcat run to the end, its stdout as bytes; the error names what it was doing. */
function runKcat(kcat: Kcat, args: string[], what: string): Promise<Buffer> {
  const [command, ...pre] = kcat.command;
  return new Promise<Buffer>((resolve, reject) => {
    const child = spawn(command!, [...pre, '-b', kcat.brokers, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-2_000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(chunks));
      else
        reject(
          new Error(
            `kcat ${what} ${signal === 'SIGKILL' ? 'timed out after 300 s' : `exited ${code ?? signal}`}: ${stderr.trim()}`,
          ),
        );
    });
  });
}

/**
 * Each partition's low and high watermark (kcat -Q: ListOffsets with the earliest (-2) and the
 * latest (-1) timestamp); the partitions from the topic's metadata (kcat -L -J).
 */
export async function watermarks(
  kcat: Kcat,
  topic: string,
): Promise<{ partition: number; low: string; high: string }[]> {
  const metadata = JSON.parse(
    (await runKcat(kcat, ['-L', '-J', '-t', topic], `reading ${topic}'s metadata`)).toString('utf8'),
  ) as { topics: { topic: string; partitions: { partition: number }[] }[] };
  const partitions = metadata.topics.find((t) => t.topic === topic)?.partitions.map((p) => p.partition) ?? [];
  if (partitions.length === 0) throw new Error(`the broker knows no partitions of ${topic}`);
  const offsets = async (timestamp: number) => {
    const args = ['-Q', ...partitions.flatMap((p) => ['-t', `${topic}:${p}:${timestamp}`])];
    const text = (await runKcat(kcat, args, `querying ${topic}'s offsets`)).toString('utf8');
    // one line per partition: "<topic> [<partition>] offset <n>"
    const out = new Map<number, string>();
    for (const m of text.matchAll(/\[(\d+)\]\s+offset\s+(-?\d+)/g)) out.set(Number(m[1]), m[2]!);
    return out;
  };
  const [low, high] = [await offsets(-2), await offsets(-1)];
  return partitions
    .sort((a, b) => a - b)
    .map((partition) => {
      const l = low.get(partition);
      const h = high.get(partition);
      if (l === undefined || h === undefined)
        throw new Error(`kcat -Q gave no offsets for ${topic} partition ${partition}`);
      return { partition, low: l, high: h };
    });
}

/**
 * Reads every message of `topic` from each partition's low to its high watermark, with kcat
 * assigned to the partition (no consumer group: after a long broker hang a new group can wait
 * minutes for its first assignment). `%R%s` frames each value as a 32-bit big-endian length
 * (-1 for null) and the bytes, so values with newlines or invalid UTF-8 arrive intact.
 */
export async function readTopic(
  kcat: Kcat,
  topic: string,
  marks: { partition: number; high: string; low: string }[],
  onValue: (value: string) => void,
): Promise<void> {
  for (const m of marks) {
    const count = BigInt(m.high) - BigInt(m.low);
    if (count <= 0n) continue;
    const args = ['-C', '-q', '-e', '-t', topic, '-p', String(m.partition), '-o', m.low];
    args.push('-c', String(count), '-f', '%R%s');
    const out = await runKcat(kcat, args, `reading ${topic} partition ${m.partition}`);
    let read = 0n;
    for (let at = 0; at < out.length; ) {
      const length = out.readInt32BE(at);
      at += 4;
      const value = length < 0 ? '' : out.subarray(at, at + length).toString('utf8');
      at += Math.max(0, length);
      onValue(value);
      read++;
    }
    if (read !== count)
      throw new Error(
        `partition ${m.partition}: read ${read} messages from offset ${m.low}, expected ${count} (up to ${m.high})`,
      );
  }
}

const TABLES = [
  'users',
  'movies',
  'watch_progress',
  'user_ratings',
  'movie_rating_counts',
  'recommendation_requests_hourly',
  'dead_letters',
  'ingestion_offsets',
];

/** Tables that differ between the primary and the replica once it has replayed the primary's WAL. */
export async function replicaDifferences(stack: StackHandle, timeoutMs: number): Promise<string[]> {
  const primary = await stack.database('postgres-primary');
  const replica = await stack.database('postgres-replica');
  const lsn = await withClient(
    primary,
    async (c) => (await c.query<{ l: string }>('SELECT pg_current_wal_lsn() AS l')).rows[0]!.l,
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const caughtUp = await withClient(replica, async (c) => {
      const { rows } = await c.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [
        lsn,
      ]);
      return rows[0]?.ok === true;
    }).catch(() => false);
    if (caughtUp) break;
    if (Date.now() > deadline)
      return [`the replica did not replay up to ${lsn} within ${timeoutMs / 1000} s`];
    await sleep(500);
  }
  const digest = (config: pg.ClientConfig) =>
    withClient(config, async (c) => {
      const out = new Map<string, string>();
      for (const table of TABLES) {
        const { rows } = await c.query<{ n: string; h: string | null }>(
          `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM ${table} t`,
        );
        out.set(table, `${rows[0]!.n} rows, ${rows[0]!.h ?? 'empty'}`);
      }
      return out;
    });
  const [a, b] = [await digest(primary), await digest(replica)];
  return TABLES.filter((t) => a.get(t) !== b.get(t)).map(
    (t) => `${t}: primary ${a.get(t)}, replica ${b.get(t)}`,
  );
}

/**
 * Prometheus kept what it scraped before its own restart: the samples of `up{job="event-producer"}`
 * from the run's start to the restart are still there (at least 80% of the scrapes expected).
 */
export async function historyKept(
  prometheusUrl: string,
  from: number,
  restartedAt: number,
  intervalSec: number,
): Promise<{ ok: boolean; detail: string }> {
  const end = restartedAt - 2_000;
  const expected = Math.floor((end - from) / 1000 / intervalSec);
  const params = new URLSearchParams({
    query: 'up{job="event-producer"}',
    start: String(from / 1000),
    end: String(end / 1000),
    step: String(intervalSec),
  });
  const response = await fetch(`${prometheusUrl}/api/v1/query_range?${params}`);
  const body = (await response.json()) as { data: { result: { values: unknown[] }[] } };
  const found = body.data.result[0]?.values.length ?? 0;
  return {
    ok: expected > 0 && found >= expected * 0.8,
    detail: `${found} of ${expected} scrapes from before the restart still queryable`,
  };
}
