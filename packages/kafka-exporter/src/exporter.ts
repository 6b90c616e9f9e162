import { ExpositionWriter, type Sample } from '@reelwatch/pg-exporter';
import type { Logger } from 'pino';
import type { Collector, CollectorContext, WatermarkSet } from './collector';
import { KafkaExporterError } from './errors';
import type { CommittedOffsets, GroupDescription, KafkaSource, Watermark } from './kafka-source';
import { exporterSelfSamples } from './self-series';
import type { StoredOffsetsSource } from './stored-offsets-source';

export interface ExporterOptions {
  kafka: KafkaSource;
  stored?: StoredOffsetsSource;
  /** enabled collectors, in output order */
  collectors: readonly Collector[];
  logger: Logger;
  /** per-scrape deadline, ms */
  collectionTimeoutMs: number;
  topicFilter: RegExp;
  topicExclude: RegExp;
  groupFilter: RegExp;
  groupExclude: RegExp;
  /** groups read even when the brokers cannot list groups */
  groups: string[];
  offsetShowAll: boolean;
  /** most topics whose offsets are read at once */
  topicWorkers: number;
  constantLabels: Record<string, string>;
}

interface CollectorResult {
  samples: Sample[];
  ok: boolean;
  seconds: number;
}

/** One run of every collector against Kafka (and PostgreSQL); it may outlive the scrape that began it. */
interface Collection {
  started: number;
  results: Map<string, CollectorResult>;
  /** whether the cluster answered a metadata request in this collection */
  kafkaUp: boolean | undefined;
  done: Promise<void>;
}

/** At most `limit` of `items` through `run` at once. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * Collects on each render. Concurrent renders share one scrape; a scrape waits for its collection
 * at most collectionTimeoutMs, and a collection still running when the next scrape comes is joined,
 * never repeated: a hung broker holds one set of requests, not one per scrape.
 */
export class Exporter {
  private rendering: Promise<string> | undefined;
  private collection: Collection | undefined;
  private scrapes = 0;
  private collections = 0;
  private lastDurationSeconds = 0;
  private lastError = 0;
  private readonly failures = new Map<string, number>();
  /** what failed last time, so an outage is logged once, not once per scrape */
  private readonly failing = new Set<string>();
  /** lookups a broker cannot answer (ListGroups on the mock), logged once */
  private readonly noted = new Set<string>();

  constructor(private readonly options: ExporterOptions) {
    for (const c of options.collectors) this.failures.set(c.name, 0);
  }

  /** The exposition text; concurrent callers share one scrape. */
  render(): Promise<string> {
    if (!this.rendering) {
      this.rendering = this.scrape().finally(() => {
        this.rendering = undefined;
      });
    }
    return this.rendering;
  }

  /** Collections started since construction: with a hung broker it stays put while scrapes go on. */
  get collectionsStarted(): number {
    return this.collections;
  }

  /** Waits for a scrape in flight (bounded by the scrape deadline), before the connections close. */
  async settle(): Promise<void> {
    await this.rendering?.catch(() => undefined);
  }

  private async scrape(): Promise<string> {
    const began = performance.now();
    this.scrapes++;
    const collection = this.collection ?? this.startCollection();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), this.options.collectionTimeoutMs);
    });
    const outcome = await Promise.race([collection.done.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline')
      this.noteOnce('deadline', 'scrape deadline passed; unfinished collectors reported failed');
    const writer = new ExpositionWriter(this.options.constantLabels);
    const self: Array<{ name: string; ok: boolean; seconds: number }> = [];
    let anyFailed = false;
    for (const c of this.options.collectors) {
      const r = collection.results.get(c.name) ?? {
        samples: [],
        ok: false,
        seconds: (performance.now() - collection.started) / 1000,
      };
      writer.addAll(r.samples);
      if (!r.ok) {
        anyFailed = true;
        this.failures.set(c.name, (this.failures.get(c.name) ?? 0) + 1);
      }
      self.push({ name: c.name, ok: r.ok, seconds: r.seconds });
    }
    this.lastError = anyFailed ? 1 : 0;
    this.lastDurationSeconds = (performance.now() - began) / 1000;
    for (const s of exporterSelfSamples({
      up: collection.kafkaUp === true,
      collectors: self,
      failures: this.failures,
      lastDurationSeconds: this.lastDurationSeconds,
      scrapes: this.scrapes,
      lastError: this.lastError,
    }))
      writer.add(s);
    return writer.finish().text;
  }

  private startCollection(): Collection {
    this.collections++;
    const collection: Collection = {
      started: performance.now(),
      results: new Map(),
      kafkaUp: undefined,
      done: Promise.resolve(),
    };
    const lookups = this.lookups(collection);
    // always asked, so kafka_up is known whichever collectors are enabled
    void lookups.brokers().catch(() => undefined);
    collection.done = Promise.all(
      this.options.collectors.map((c) => this.runCollector(c, lookups, collection)),
    ).then(() => {
      if (this.collection === collection) this.collection = undefined;
    });
    this.collection = collection;
    return collection;
  }

  private async runCollector(
    c: Collector,
    lookups: Omit<CollectorContext, 'partialFailure'>,
    collection: Collection,
  ): Promise<void> {
    const began = performance.now();
    let ok = true;
    const log = this.options.logger.child({ collector: c.name });
    const ctx: CollectorContext = {
      ...lookups,
      partialFailure: (err, context) => {
        ok = false;
        this.warnOnce(`${c.name}|partial`, log, { err, ...context }, 'collector failed in part');
      },
    };
    let samples: Sample[] = [];
    try {
      samples = await c.collect(ctx);
      if (ok) this.failing.delete(`${c.name}|partial`);
      if (this.failing.delete(c.name)) log.info('collector recovered');
    } catch (err) {
      ok = false;
      this.warnOnce(c.name, log, { err }, 'collector failed');
    }
    collection.results.set(c.name, { samples, ok, seconds: (performance.now() - began) / 1000 });
  }

  private warnOnce(key: string, log: Logger, fields: Record<string, unknown>, message: string): void {
    if (this.failing.has(key)) return;
    this.failing.add(key);
    log.warn(fields, message);
  }

  private noteOnce(key: string, message: string): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.options.logger.info(message);
  }

  /** The shared, memoised Kafka and PostgreSQL lookups of one collection. */
  private lookups(collection: Collection): Omit<CollectorContext, 'partialFailure'> {
    const o = this.options;
    const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
      let p: Promise<T> | undefined;
      return () => {
        p ??= load();
        return p;
      };
    };
    const topicWanted = (t: string) => o.topicFilter.test(t) && !o.topicExclude.test(t);
    const groupWanted = (g: string) => o.groupFilter.test(g) && !o.groupExclude.test(g);

    const brokers = once(async () => {
      try {
        const b = await o.kafka.brokers();
        collection.kafkaUp = true;
        return b;
      } catch (err) {
        collection.kafkaUp = false;
        throw err;
      }
    });
    // brokers first: when Kafka is down the other lookups fail fast on the same connection error
    const topics = once(async () => {
      await brokers();
      return (await o.kafka.topics()).filter((t) => topicWanted(t.topic));
    });
    const watermarks = once(async (): Promise<WatermarkSet> => {
      const list = await topics();
      const byTopic = new Map<string, Map<number, Watermark>>();
      let failedTopics: string[] = [];
      let firstError: unknown;
      const read = async (topic: string) => {
        try {
          const marks = await o.kafka.watermarks(topic);
          byTopic.set(topic, new Map(marks.map((m) => [m.partition, m])));
        } catch (err) {
          firstError ??= err;
          failedTopics.push(topic);
        }
      };
      await eachLimited(
        list.map((t) => t.topic),
        o.topicWorkers,
        read,
      );
      // kafkajs 2.2.4: concurrent fetchTopicOffsets of topics its admin has not seen before race
      // on the metadata refresh, and some fail ("Cannot destructure property 'partitions' of
      // 'high.pop(...)'"); once seen, they succeed. One more pass over the failed ones.
      if (failedTopics.length > 0 && failedTopics.length < list.length) {
        const retry = failedTopics;
        failedTopics = [];
        firstError = undefined;
        await eachLimited(retry, o.topicWorkers, read);
      }
      if (list.length > 0 && failedTopics.length === list.length)
        throw new KafkaExporterError('KAFKA_REQUEST_FAILED', 'no topic offsets could be read', {
          cause: firstError,
          retryable: true,
        });
      return { byTopic, failedTopics, firstError };
    });
    const storedRows = once(async () => {
      if (!o.stored) return undefined;
      const rows = await o.stored.read();
      return rows.filter((r) => topicWanted(r.topic) && groupWanted(r.group));
    });
    const groups = once(async () => {
      await brokers();
      const listed = await o.kafka.listGroups();
      if (listed === undefined)
        this.noteOnce(
          'listGroups',
          'the brokers do not implement ListGroups: reading configured groups and those in the stored offsets only',
        );
      // a failing database is the stored-offsets collector's failure to report, not this one's
      const stored = await storedRows().catch(() => undefined);
      const all = new Set([...(listed ?? []), ...o.groups, ...(stored ?? []).map((r) => r.group)]);
      return [...all].filter(groupWanted).sort();
    });
    const describeGroups = once(async () => {
      const described = await o.kafka.describeGroups(await groups());
      if (described === undefined) {
        this.noteOnce(
          'describeGroups',
          'the brokers do not implement DescribeGroups: no kafka_consumergroup_members',
        );
        return undefined;
      }
      return new Map<string, GroupDescription>(described.map((d) => [d.groupId, d]));
    });
    const committedByGroup = new Map<string, Promise<CommittedOffsets>>();
    const committed = (group: string) => {
      let p = committedByGroup.get(group);
      if (!p) {
        p = topics().then((list) =>
          o.kafka.committed(
            group,
            list.map((t) => t.topic),
          ),
        );
        committedByGroup.set(group, p);
      }
      return p;
    };
    return {
      brokers,
      topics,
      watermarks,
      groups,
      describeGroups,
      committed,
      storedOffsets: storedRows,
      offsetShowAll: o.offsetShowAll,
    };
  }
}
