import type { Logger } from 'pino';
import type { Collector, CollectorContext, CollectorOptions, Row } from './collector';
import type { DataSource } from './dsn';
import { ExpositionWriter, type Sample } from './exposition';
import { exporterSelfSamples, userQueriesLoadErrorSample, writeServerSeries } from './scrape-series';
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

/** What one scrape of one server's tasks runs against. */
interface TaskScope {
  target: PgTarget;
  info: ServerInfo;
  databases: string[];
  log: Logger;
  signal: AbortSignal;
}

/** What one scrape got from one server. */
interface TargetScrape {
  collectors: Array<TaskResult & { name: string }>;
  info: ServerInfo | undefined;
  error: boolean;
}

export { shortVersion } from './scrape-series';

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
    for (const { target, result } of results)
      writeServerSeries(writer, { label: target.label, up: target.up, ...result });
    const uq = this.options.userQueries;
    if (uq) writer.add(userQueriesLoadErrorSample(uq));
    this.lastError = anyError ? 1 : 0;
    this.lastDurationSeconds = (performance.now() - started) / 1000;
    // the duplicates of this scrape are known only once everything else is written
    const partial = writer.finish();
    this.duplicatesDropped += partial.duplicates + partial.conflicts;
    return partial.text + this.selfMetricsText();
  }

  /** The exporter's own series, written after the scrape so they can count its duplicates. */
  private selfMetricsText(): string {
    const tail = new ExpositionWriter(this.options.constantLabels);
    for (const sample of exporterSelfSamples({
      lastDurationSeconds: this.lastDurationSeconds,
      scrapes: this.scrapes,
      lastError: this.lastError,
      duplicatesDropped: this.duplicatesDropped,
    }))
      tail.add(sample);
    return tail.finish().text;
  }

  private async scrapeTarget(target: PgTarget, signal: AbortSignal): Promise<TargetScrape> {
    const log = this.options.logger.child({ server: target.label });
    const info = await this.serverInfo(target, log, signal);
    if (!info) return { collectors: this.downCollectors(), info: undefined, error: true };
    const databases = await this.databasesToScrape(target, log, signal);
    const tasks = this.plannedTasks(target, info, databases);
    const byName = new Map<string, TaskResult>();
    for (const c of this.options.collectors) byName.set(c.name, { samples: [], ok: true, seconds: 0 });
    for (const t of tasks) byName.set(t.name, { samples: [], ok: true, seconds: 0 });
    await this.runTasks(tasks, byName, { target, info, databases, log, signal });
    const { collectors, error } = this.orderedResults(byName);
    return { collectors, info, error };
  }

  /** The server's version and role, or undefined when it is down (logged once per outage). */
  private async serverInfo(
    target: PgTarget,
    log: Logger,
    signal: AbortSignal,
  ): Promise<ServerInfo | undefined> {
    let info: ServerInfo;
    try {
      info = await target.info(signal);
      if (!target.up) log.info('server is up');
      target.up = true;
    } catch (err) {
      if (target.up || !this.failing.has(target.label)) log.warn({ err }, 'server is down');
      this.failing.add(target.label);
      target.up = false;
      return undefined;
    }
    this.failing.delete(target.label);
    return info;
  }

  /** Every collector and user query of a down server, failed, so each still reports its success series. */
  private downCollectors(): TargetScrape['collectors'] {
    const names = [
      ...this.options.collectors.map((c) => c.name),
      ...(this.options.userQueries?.queries ?? []).map((q) => `queries.yaml:${q.namespace}`),
    ];
    return names.map((name) => ({ name, samples: [], ok: false, seconds: 0 }));
  }

  /** The databases per-database work runs in: discovered and filtered, or the DSN's alone. */
  private async databasesToScrape(target: PgTarget, log: Logger, signal: AbortSignal): Promise<string[]> {
    const needsDatabases =
      this.options.collectors.some((c) => c.scope === 'database') ||
      (this.options.autoDiscoverDatabases && (this.options.userQueries?.queries.length ?? 0) > 0);
    if (!needsDatabases) return [target.source.database];
    try {
      const rows = await target.query<{ datname: string }>(
        DISCOVER_SQL,
        undefined,
        target.source.database,
        signal,
      );
      return filterDatabases(
        rows.map((r) => r.datname),
        this.options.includeDatabases,
        this.options.excludeDatabases,
      );
    } catch (err) {
      log.warn({ err }, 'cannot list databases; per-database collectors use the DSN database only');
      return [target.source.database];
    }
  }

  /** One task per collector or user query and database, skipping those the server's version lacks. */
  private plannedTasks(target: PgTarget, info: ServerInfo, databases: string[]): Task[] {
    const tasks: Task[] = [];
    for (const c of this.options.collectors) {
      if (c.minVersion !== undefined && info.version < c.minVersion) continue;
      const dbs = c.scope === 'database' ? databases : [target.source.database];
      for (const database of dbs) tasks.push({ name: c.name, database, run: (ctx) => c.collect(ctx) });
    }
    for (const q of this.options.userQueries?.queries ?? []) {
      if (!versionSatisfies(q.runOnServer, info.version)) continue;
      const dbs = !q.master && this.options.autoDiscoverDatabases ? databases : [target.source.database];
      for (const database of dbs) tasks.push(this.userQueryTask(q, target, database));
    }
    return tasks;
  }

  /** Runs the tasks with at most `maxConnections` at once, adding into each task's named result. */
  private async runTasks(tasks: Task[], byName: Map<string, TaskResult>, scope: TaskScope): Promise<void> {
    // one database's tasks run one after another on one (warm) connection; databases in parallel
    const groups = new Map<string, Task[]>();
    for (const t of tasks) {
      const group = groups.get(t.database) ?? [];
      group.push(t);
      groups.set(t.database, group);
    }
    const queue = [...groups.values()].sort((a, b) => b.length - a.length);
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        for (const t of group) await this.runTask(t, byName.get(t.name) as TaskResult, scope);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.maxConnections) }, worker));
  }

  /** A failing task fails only its collector; it is logged once until it succeeds again. */
  private async runTask(t: Task, result: TaskResult, scope: TaskScope): Promise<void> {
    const { target, info, databases, log, signal } = scope;
    const began = performance.now();
    const ctx: CollectorContext = {
      version: info.version,
      isReplica: info.isReplica,
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

  /** Collectors in their configured order, then user queries; the scrape errs if any of them failed. */
  private orderedResults(byName: Map<string, TaskResult>): Pick<TargetScrape, 'collectors' | 'error'> {
    const collectors: TargetScrape['collectors'] = [];
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
    return { collectors, error };
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
