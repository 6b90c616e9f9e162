import type { Logger } from 'pino';
import type { Collector, CollectorContext, CollectorOptions, Row } from './collector';
import type { DataSource } from './dsn';
import { ExpositionWriter, type Sample } from './exposition';
import { PgTarget, type ServerInfo } from './target';
import { type UserQuery, type UserQueryFile, userQuerySamples, versionSatisfies } from './user-queries';

export interface ExporterOptions {
  sources: DataSource[];
  /** enabled collectors, in output order */
  collectors: readonly Collector[];
  logger: Logger;
  /** per-scrape deadline, ms */
  collectionTimeoutMs: number;
  /** statement_timeout and lock_timeout of every query, ms */
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  /** queries running at once per server, across its databases */
  maxConnections: number;
  /** idle connections kept warm per server */
  maxIdleConnections: number;
  includeDatabases: string[];
  excludeDatabases: string[];
  constantLabels: Record<string, string>;
  userQueries?: UserQueryFile;
  /** run non-`master` user queries in every discovered database (upstream --auto-discover-databases) */
  autoDiscoverDatabases: boolean;
  collectorOptions: CollectorOptions;
}

interface Task {
  name: string;
  database: string;
  run(ctx: CollectorContext): Promise<Sample[]>;
}

interface TaskResult {
  samples: Sample[];
  ok: boolean;
  seconds: number;
}

/** What one scrape got from one server. */
interface TargetScrape {
  collectors: Array<TaskResult & { name: string }>;
  info: ServerInfo | undefined;
  error: boolean;
}

const DISCOVER_SQL =
  'SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname';

/**
 * Scrapes every configured server on each render: servers in parallel, each with at most
 * `maxConnections` queries at once; a down or slow server only affects its own series.
 */
export class Exporter {
  readonly targets: PgTarget[];
  private inflight: Promise<string> | undefined;
  private scrapes = 0;
  private duplicatesDropped = 0;
  private lastDurationSeconds = 0;
  private lastError = 0;
  private readonly cache = new Map<string, { until: number; samples: Sample[] }>();
  private readonly failing = new Set<string>();

  constructor(private readonly options: ExporterOptions) {
    this.targets = options.sources.map(
      (source) =>
        new PgTarget(source, {
          maxConnections: options.maxConnections,
          maxIdleConnections: options.maxIdleConnections,
          statementTimeoutMs: options.statementTimeoutMs,
          connectTimeoutMs: options.connectTimeoutMs,
          logger: options.logger,
        }),
    );
  }

  /** The exposition text; concurrent callers share one in-flight collection. */
  render(): Promise<string> {
    if (!this.inflight) {
      this.inflight = this.scrape().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  async close(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    await Promise.all(this.targets.map((t) => t.close()));
  }

  private async scrape(): Promise<string> {
    const started = performance.now();
    this.scrapes++;
    const signal = AbortSignal.timeout(this.options.collectionTimeoutMs);
    const writer = new ExpositionWriter(this.options.constantLabels);
    const results = await Promise.all(
      this.targets.map(async (target) => ({ target, result: await this.scrapeTarget(target, signal) })),
    );
    let anyError = false;
    for (const { target, result } of results) {
      for (const r of result.collectors) writer.addAll(r.samples, { server: target.label });
      if (result.error) anyError = true;
    }
    for (const { target, result } of results) {
      const server = { server: target.label };
      writer.add(
        {
          name: 'pg_up',
          help: 'Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).',
          type: 'gauge',
          labels: {},
          value: target.up ? 1 : 0,
        },
        server,
      );
      if (result.info)
        writer.add(
          {
            name: 'pg_static',
            help: 'Version string as reported by postgres',
            type: 'untyped',
            labels: { version: result.info.versionString, short_version: shortVersion(result.info.version) },
            value: 1,
          },
          server,
        );
      for (const r of result.collectors) {
        writer.add(
          {
            name: 'pg_scrape_collector_duration_seconds',
            help: 'postgres_exporter: Duration of a collector scrape.',
            type: 'gauge',
            labels: { collector: r.name },
            value: r.seconds,
          },
          server,
        );
        writer.add(
          {
            name: 'pg_scrape_collector_success',
            help: 'postgres_exporter: Whether a collector succeeded.',
            type: 'gauge',
            labels: { collector: r.name },
            value: r.ok ? 1 : 0,
          },
          server,
        );
      }
    }
    const uq = this.options.userQueries;
    if (uq) {
      writer.add({
        name: 'pg_exporter_user_queries_load_error',
        help: 'Whether the user queries file was loaded and parsed successfully (1 for error, 0 for success).',
        type: 'gauge',
        labels: { filename: uq.path, hashsum: uq.hashsum },
        value: uq.error ? 1 : 0,
      });
    }
    this.lastError = anyError ? 1 : 0;
    this.lastDurationSeconds = (performance.now() - started) / 1000;
    // the duplicates of this scrape are known only once everything else is written
    const partial = writer.finish();
    this.duplicatesDropped += partial.duplicates + partial.conflicts;
    const tail = new ExpositionWriter(this.options.constantLabels);
    tail.add({
      name: 'pg_exporter_last_scrape_duration_seconds',
      help: 'Duration of the last scrape of metrics from PostgreSQL.',
      type: 'gauge',
      labels: {},
      value: this.lastDurationSeconds,
    });
    tail.add({
      name: 'pg_exporter_scrapes_total',
      help: 'Total number of times PostgreSQL was scraped for metrics.',
      type: 'counter',
      labels: {},
      value: this.scrapes,
    });
    tail.add({
      name: 'pg_exporter_last_scrape_error',
      help: 'Whether the last scrape of metrics from PostgreSQL resulted in an error (1 for error, 0 for success).',
      type: 'gauge',
      labels: {},
      value: this.lastError,
    });
    tail.add({
      name: 'pg_exporter_duplicate_series_dropped_total',
      help: 'Series dropped because an earlier series of the same scrape had the same name and labels (or the family another type).',
      type: 'counter',
      labels: {},
      value: this.duplicatesDropped,
    });
    return partial.text + tail.finish().text;
  }

  private async scrapeTarget(target: PgTarget, signal: AbortSignal): Promise<TargetScrape> {
    const log = this.options.logger.child({ server: target.label });
    const collectors: TargetScrape['collectors'] = [];
    let info: ServerInfo | undefined;
    try {
      info = await target.info(signal);
      if (!target.up) log.info('server is up');
      target.up = true;
    } catch (err) {
      if (target.up || !this.failing.has(target.label)) log.warn({ err }, 'server is down');
      this.failing.add(target.label);
      target.up = false;
      const names = [
        ...this.options.collectors.map((c) => c.name),
        ...(this.options.userQueries?.queries ?? []).map((q) => `queries.yaml:${q.namespace}`),
      ];
      for (const name of names) collectors.push({ name, samples: [], ok: false, seconds: 0 });
      return { collectors, info: undefined, error: true };
    }
    this.failing.delete(target.label);
    const serverInfo = info;

    const needsDatabases =
      this.options.collectors.some((c) => c.scope === 'database') ||
      (this.options.autoDiscoverDatabases && (this.options.userQueries?.queries.length ?? 0) > 0);
    let databases: string[] = [target.source.database];
    if (needsDatabases) {
      try {
        const rows = await target.query<{ datname: string }>(
          DISCOVER_SQL,
          undefined,
          target.source.database,
          signal,
        );
        databases = filterDatabases(
          rows.map((r) => r.datname),
          this.options.includeDatabases,
          this.options.excludeDatabases,
        );
      } catch (err) {
        log.warn({ err }, 'cannot list databases; per-database collectors use the DSN database only');
      }
    }

    const tasks: Task[] = [];
    for (const c of this.options.collectors) {
      if (c.minVersion !== undefined && serverInfo.version < c.minVersion) continue;
      const dbs = c.scope === 'database' ? databases : [target.source.database];
      for (const database of dbs) tasks.push({ name: c.name, database, run: (ctx) => c.collect(ctx) });
    }
    for (const q of this.options.userQueries?.queries ?? []) {
      if (!versionSatisfies(q.runOnServer, serverInfo.version)) continue;
      const dbs = !q.master && this.options.autoDiscoverDatabases ? databases : [target.source.database];
      for (const database of dbs) tasks.push(this.userQueryTask(q, target, database));
    }
    // one database's tasks run one after another on one (warm) connection; databases in parallel
    const groups = new Map<string, Task[]>();
    for (const t of tasks) {
      const group = groups.get(t.database) ?? [];
      group.push(t);
      groups.set(t.database, group);
    }
    const queue = [...groups.values()].sort((a, b) => b.length - a.length);

    const byName = new Map<string, TaskResult>();
    for (const c of this.options.collectors) byName.set(c.name, { samples: [], ok: true, seconds: 0 });
    for (const t of tasks) byName.set(t.name, { samples: [], ok: true, seconds: 0 });
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        for (const t of group) {
          const result = byName.get(t.name) as TaskResult;
          const began = performance.now();
          const ctx: CollectorContext = {
            version: serverInfo.version,
            isReplica: serverInfo.isReplica,
            database: t.database,
            databases,
            excludeDatabases: this.options.excludeDatabases,
            options: this.options.collectorOptions,
            query: <R extends Row = Row>(sql: string, params?: unknown[]) =>
              target.query<R>(sql, params, t.database, signal),
          };
          try {
            const samples = await t.run(ctx);
            for (const s of samples) result.samples.push(s);
            this.failing.delete(`${target.label}|${t.name}|${t.database}`);
          } catch (err) {
            result.ok = false;
            const key = `${target.label}|${t.name}|${t.database}`;
            if (!this.failing.has(key)) {
              this.failing.add(key);
              log.warn({ err, collector: t.name, database: t.database }, 'collector failed');
            }
          }
          result.seconds += (performance.now() - began) / 1000;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.maxConnections) }, worker));
    let error = false;
    for (const c of this.options.collectors) {
      const r = byName.get(c.name);
      if (r) {
        collectors.push({ name: c.name, ...r });
        if (!r.ok) error = true;
      }
    }
    for (const [name, r] of byName) {
      if (name.startsWith('queries.yaml:')) {
        collectors.push({ name, ...r });
        if (!r.ok) error = true;
      }
    }
    return { collectors, info: serverInfo, error };
  }

  private userQueryTask(q: UserQuery, target: PgTarget, database: string): Task {
    return {
      name: `queries.yaml:${q.namespace}`,
      database,
      run: async (ctx) => {
        const key = `${target.label}|${q.namespace}|${database}`;
        const cached = this.cache.get(key);
        if (cached && cached.until > Date.now()) return cached.samples;
        const samples = userQuerySamples(q, await ctx.query(q.query));
        if (q.cacheSeconds > 0) this.cache.set(key, { until: Date.now() + q.cacheSeconds * 1000, samples });
        return samples;
      },
    };
  }
}

export function filterDatabases(all: string[], include: string[], exclude: string[]): string[] {
  return all.filter((d) => (include.length === 0 || include.includes(d)) && !exclude.includes(d));
}

/** 150004 -> "15.4.0", 90624 -> "9.6.24", like upstream's semver short_version. */
export function shortVersion(versionNum: number): string {
  const major = Math.floor(versionNum / 10000);
  if (major >= 10) return `${major}.${versionNum % 10000}.0`;
  return `${major}.${Math.floor(versionNum / 100) % 100}.${versionNum % 100}`;
}
