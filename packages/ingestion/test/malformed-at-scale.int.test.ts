import { EventGenerator, type GeneratedEvent } from '@reelwatch/event-producer';
import { waitFor } from '@reelwatch/testkit';
import { CompressionTypes, Kafka, logLevel, type Message, Partitioners } from 'kafkajs';
import { deadLetterText, MAX_DEAD_LETTER_TEXT_LENGTH } from '../src/batch-aggregator';
import { DEAD_LETTER_REASONS, MAX_LINE_LENGTH, parseEventLine } from '../src/parse-event-line';
import {
  controlCharacters,
  decodedText,
  emptyValues,
  fieldMutations,
  hugeLines,
  invalidUtf8,
  type MalformedKind,
  type MalformedValue,
  randomEdits,
  wrongJson,
} from './support/malformed-lines';
import { prng } from './support/mutate';
import { parseMetrics, scrape, startIngestion, uniqueName, watermarks } from './support/pipeline';
import { databaseTables, describeDifferences, referenceTables } from './support/reference';
import { useServers } from './support/servers';

const servers = useServers({ built: true });

const VALID = 20_000;
// Past the parser's limit, past the 1 MiB fetch size (INGESTION_MAX_BYTES_PER_PARTITION) and
// past Kafka's default 1 MB message.max.bytes (the mock broker enforces none); at most ~1.6 MB
// per partition, below the mock's ~5 MB retention.
const HUGE_SIZES = [10_000, MAX_LINE_LENGTH + 1, 65_536, 262_144, 1_000_000, 1_100_000, 1_500_000, 500_000];
const PARTITIONS = 4; // the mock cluster auto-creates topics with 4 partitions

type Outgoing = { malformed?: MalformedValue; message: Message; huge: boolean };

/** Valid events in generator order, each malformed value dropped in at a random place. */
function interleave(valid: GeneratedEvent[], malformed: MalformedValue[], random: () => number): Outgoing[] {
  const placed = [
    ...valid.map((e, i) => ({
      at: i / valid.length,
      out: { message: { key: e.key, value: e.line }, huge: false },
    })),
    ...malformed.map((m, i) => ({
      at: random(),
      out: {
        malformed: m,
        huge: m.partition !== undefined,
        message:
          m.partition !== undefined
            ? { partition: m.partition, value: m.value }
            : { key: `k${i}`, value: m.value },
      },
    })),
  ];
  return placed.sort((a, b) => a.at - b.at).map((p) => p.out);
}

/** Ordinary messages in gzip batches; a huge one alone and uncompressed, so its full size travels. */
async function produce(brokers: string[], topic: string, outgoing: Outgoing[]): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'malformed-producer', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    let batch: Message[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: batch });
      batch = [];
    };
    for (const o of outgoing) {
      if (o.huge) {
        await flush();
        await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: [o.message] });
      } else {
        batch.push(o.message);
        if (batch.length === 2_000) await flush();
      }
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
}

test('tens of thousands of fuzzed malformed lines mixed with valid events each end as exactly one dead letter with its reason, block no partition, and leave the aggregates equal to the reference', async () => {
  const { kafka, postgres } = servers;
  const random = prng(5);
  const valid = [...new EventGenerator({ seed: 55 }).take(VALID)];
  const source = [...new EventGenerator({ seed: 56 }).take(6_000)];
  const malformed: MalformedValue[] = [
    ...fieldMutations(source.slice(0, 300)),
    ...randomEdits(source.slice(450, 6_000), random),
    ...invalidUtf8(source.slice(0, 2_000), random),
    ...controlCharacters(source.slice(2_000, 4_000), random),
    ...emptyValues(900),
    ...wrongJson(source.slice(4_000, 4_500)),
    ...hugeLines(HUGE_SIZES, PARTITIONS, random, source[0]!.line),
  ];
  const byKind = new Map<MalformedKind, number>();
  for (const m of malformed) byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
  expect(malformed.length).toBeGreaterThan(15_000);
  expect(byKind.size).toBe(7);

  // What each malformed value must become: its reason (from the strict parser, run here on the
  // decoded text), its original length and its stored text, cut to the cap.
  const expectedRows: string[] = [];
  const expectedReasons = new Map<string, number>();
  for (const m of malformed) {
    const text = decodedText(m.value);
    const parsed = parseEventLine(m.value === null ? null : text);
    if (parsed.ok) throw new Error(`a ${m.kind} value is a valid line: ${text.slice(0, 200)}`);
    // Kinds whose reason does not depend on where the fault landed.
    if (m.kind === 'huge' && text.length > MAX_LINE_LENGTH) expect(parsed.reason).toBe('line_too_long');
    if (m.kind === 'empty' && (m.value === null || m.value === '')) expect(parsed.reason).toBe('empty_line');
    if (m.kind === 'control_character') expect(parsed.reason).toBe('control_character');
    const stored = deadLetterText(text);
    expectedRows.push(`${parsed.reason}|${stored.rawLength}|${stored.rawText}`);
    expectedReasons.set(parsed.reason, (expectedReasons.get(parsed.reason) ?? 0) + 1);
  }
  expect(expectedReasons.size).toBeGreaterThanOrEqual(12); // the fuzz reaches almost every reason

  const topic = uniqueName('malformed');
  const group = uniqueName('g');
  const database = await postgres.createDatabase();
  const started = Date.now();
  await produce(kafka.brokers, topic, interleave(valid, malformed, random));
  const total = VALID + malformed.length;
  const marks = await watermarks(kafka.brokers, topic);
  expect(marks.size).toBe(PARTITIONS);
  // Nothing lost to the mock's retention: otherwise the budget above is wrong, not ingestion.
  expect([...marks.values()].map((m) => m.low)).toEqual(Array(PARTITIONS).fill(0n));
  expect([...marks.values()].reduce((n, m) => n + Number(m.high), 0)).toBe(total);

  const service = await startIngestion({
    brokers: kafka.brokers,
    topic,
    group,
    databaseUrl: postgres.primary.url(database),
  });
  servers.onTeardown(() => service.stop('SIGKILL'));
  try {
    // No partition blocked: every partition's stored offset reaches its high watermark.
    await waitFor(
      async () => {
        const stored = await postgres.primary
          .query<{ partition: number; last_offset: string }>(
            'SELECT partition, last_offset FROM ingestion_offsets WHERE consumer_group = $1 AND topic = $2',
            [group, topic],
            database,
          )
          .catch(() => []);
        const at = new Map(stored.map((r) => [r.partition, BigInt(r.last_offset)]));
        return [...marks].every(([p, m]) => (at.get(p) ?? -1n) + 1n === m.high);
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'every partition applied up to its high watermark' },
    );
    const seconds = (Date.now() - started) / 1000;

    // Every malformed value is exactly one dead letter: its reason, length and (cut) text.
    const rows = await postgres.primary.query<{ row: string }>(
      "SELECT concat_ws('|', reason, raw_length, raw_text) AS row FROM dead_letters WHERE topic = $1",
      [topic],
      database,
    );
    expect(
      describeDifferences(
        { dead_letters: rows.map((r) => r.row).sort() },
        { dead_letters: expectedRows.sort() },
      ),
    ).toBe('');
    const [shape] = await postgres.primary.query<{ n: string; coords: string; longest: number; cut: string }>(
      `SELECT count(*) AS n, count(DISTINCT (partition, kafka_offset)) AS coords,
              max(length(raw_text)) AS longest, count(*) FILTER (WHERE raw_length > length(raw_text)) AS cut
       FROM dead_letters WHERE topic = $1`,
      [topic],
      database,
    );
    expect(Number(shape!.n)).toBe(malformed.length);
    expect(Number(shape!.coords)).toBe(malformed.length);
    expect(shape!.longest).toBe(MAX_DEAD_LETTER_TEXT_LENGTH);
    expect(Number(shape!.cut)).toBe(HUGE_SIZES.filter((s) => s > MAX_DEAD_LETTER_TEXT_LENGTH).length);

    // The valid events, and nothing a malformed line might have smuggled in, make the aggregates.
    const expected = referenceTables(valid);
    const actual = await databaseTables((sql) => postgres.primary.query(sql, [], database));
    delete expected.dead_letters;
    delete actual.dead_letters;
    expect(describeDifferences(actual, expected)).toBe('');

    // The counters match the table.
    const metrics = parseMetrics(await scrape(service.url));
    const byReason = await postgres.primary.query<{ reason: string; n: string }>(
      'SELECT reason, count(*) AS n FROM dead_letters WHERE topic = $1 GROUP BY reason',
      [topic],
      database,
    );
    const tableReasons = new Map(byReason.map((r) => [r.reason, Number(r.n)]));
    expect(tableReasons).toEqual(expectedReasons);
    for (const reason of DEAD_LETTER_REASONS) {
      expect(metrics.get(`reelwatch_ingestion_dead_letters_total{reason="${reason}"}`)).toBe(
        tableReasons.get(reason) ?? 0,
      );
    }
    expect(metrics.get('reelwatch_ingestion_events_total{outcome="dead_letter",type="malformed"}')).toBe(
      malformed.length,
    );
    for (const type of ['watch', 'rate', 'recommend'] as const) {
      expect(metrics.get(`reelwatch_ingestion_events_total{outcome="applied",type="${type}"}`)).toBe(
        valid.filter((e) => e.type === type).length,
      );
    }
    expect(metrics.get('reelwatch_ingestion_consumer_crashes_total')).toBe(0);
    for (let p = 0; p < PARTITIONS; p++) {
      expect(
        metrics.get(`reelwatch_ingestion_skipped_offsets_total{partition="${p}",topic="${topic}"}`),
      ).toBe(0);
    }
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    console.log(
      `malformed at scale: ${total} lines (${VALID} valid, ${malformed.length} malformed: ${JSON.stringify(Object.fromEntries(byKind))}), ${expectedReasons.size} reasons, produced and applied in ${seconds.toFixed(1)} s`,
    );
  } finally {
    expect(await service.stop('SIGTERM')).toBe(0);
  }
});
