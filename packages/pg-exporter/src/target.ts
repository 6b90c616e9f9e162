import pg from 'pg';
import type { Logger } from 'pino';
import { type DataSource, serverLabel } from './dsn';
import { ExporterError } from './errors';

export class TargetError extends ExporterError {}

export interface TargetOptions {
  /** most queries running on this server at once (and so connections in use), across its databases */
  maxConnections: number;
  /** most idle connections kept open between queries (at most one is needed per database) */
  maxIdleConnections: number;
  /** statement_timeout set on every connection, ms */
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  logger: Logger;
}

interface IdleClient {
  client: pg.Client;
  database: string;
}

export interface ServerInfo {
  version: number;
  versionString: string;
  isReplica: boolean;
}

/**
 * One watched server: at most `maxConnections` queries at once and at most `maxIdleConnections`
 * warm connections kept (any of its databases), each with a statement_timeout and lock_timeout. A query waits for a free connection; waiting and
 * running both end when the scrape's signal aborts (the connection is then destroyed, so a query
 * stuck behind a lock cannot hold it).
 */
export class PgTarget {
  readonly label: string;
  private readonly idle: IdleClient[] = [];
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private closed = false;
  up = false;

  constructor(
    readonly source: DataSource,
    private readonly options: TargetOptions,
  ) {
    this.label = serverLabel(source);
  }

  /** connections open now: running a query or kept warm */
  get openConnections(): number {
    return this.active + this.idle.length;
  }

  private clientConfig(database: string): pg.ClientConfig {
    const { options } = this.source;
    // node-pg cannot fall back from TLS to plain as libpq's prefer/allow do: only the modes that
    // require TLS turn it on
    const mode = options.sslmode ?? 'disable';
    const ssl = ['require', 'verify-ca', 'verify-full'].includes(mode)
      ? { rejectUnauthorized: mode !== 'require' }
      : undefined;
    return {
      host: this.source.host,
      port: this.source.port,
      user: this.source.user ?? process.env.USER ?? 'postgres',
      password: this.source.password,
      database,
      ssl,
      application_name: options.application_name ?? 'reelwatch-pg-exporter',
      statement_timeout: this.options.statementTimeoutMs,
      lock_timeout: this.options.statementTimeoutMs,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
    };
  }

  private wake(): void {
    const next = this.waiters.shift();
    if (next) next();
  }

  private async acquire(database: string, signal: AbortSignal): Promise<pg.Client> {
    for (;;) {
      if (signal.aborted) throw deadline(signal);
      if (this.active < this.options.maxConnections) {
        this.active++;
        const i = this.idle.findIndex((c) => c.database === database);
        if (i >= 0) return this.idle.splice(i, 1)[0]!.client;
        const client = new pg.Client(this.clientConfig(database));
        client.on('error', (err) => {
          // a connection lost while idle: drop it (a busy one fails its query and is dropped on release)
          this.options.logger.warn({ err, server: this.label, database }, 'connection lost');
          if (this.idle.some((c) => c.client === client)) this.discard(client);
        });
        try {
          await raceSignal(client.connect(), signal, () => destroy(client));
          return client;
        } catch (cause) {
          this.active--;
          this.discard(client);
          this.wake();
          if (cause instanceof TargetError) throw cause;
          throw new TargetError('CONNECT_FAILED', `connect to ${this.label} database ${database}`, {
            cause,
            retryable: true,
          });
        }
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const at = this.waiters.indexOf(go);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(deadline(signal));
        };
        const go = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiters.push(go);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  private release(client: pg.Client, database: string, broken: boolean): void {
    this.active--;
    if (broken || this.closed) {
      this.discard(client);
    } else {
      this.idle.push({ client, database });
      // warm connections are worth keeping (a fresh backend's first catalog-heavy query is 3-5x
      // slower), but only so many: the oldest goes first
      while (this.idle.length > this.options.maxIdleConnections) this.discard(this.idle[0]!.client);
    }
    this.wake();
  }

  private discarded = new WeakSet<pg.Client>();

  private discard(client: pg.Client): void {
    if (this.discarded.has(client)) return;
    this.discarded.add(client);
    const i = this.idle.findIndex((c) => c.client === client);
    if (i >= 0) this.idle.splice(i, 1);
    destroy(client);
  }

  async query<R extends Record<string, unknown>>(
    sql: string,
    params: unknown[] | undefined,
    database: string,
    signal: AbortSignal,
  ): Promise<R[]> {
    const client = await this.acquire(database, signal);
    let broken = false;
    try {
      const result = await raceSignal(client.query<R>(sql, params), signal, () => {
        broken = true;
        destroy(client);
      });
      return result.rows;
    } catch (cause) {
      if (cause instanceof TargetError) {
        broken = true;
        throw cause;
      }
      // an ERROR from the server (e.g. statement timeout) leaves the connection usable; FATAL or a
      // client-side failure does not
      const severity = (cause as { severity?: unknown } | null)?.severity;
      if (severity !== 'ERROR') broken = true;
      throw new TargetError(
        'QUERY_FAILED',
        `query on ${this.label} database ${database}: ${errorText(cause)}`,
        {
          cause,
          retryable: true,
        },
      );
    } finally {
      this.release(client, database, broken);
    }
  }

  async info(signal: AbortSignal): Promise<ServerInfo> {
    const rows = await this.query<{ version: string; num: string; replica: boolean }>(
      "SELECT version() AS version, current_setting('server_version_num') AS num, pg_is_in_recovery() AS replica",
      undefined,
      this.source.database,
      signal,
    );
    const row = rows[0];
    if (!row) throw new TargetError('QUERY_FAILED', `no version row from ${this.label}`);
    return { version: Number(row.num), versionString: row.version, isReplica: row.replica };
  }

  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((c) => c.client.end().catch(() => undefined)));
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function deadline(signal: AbortSignal): TargetError {
  return new TargetError('DEADLINE_EXCEEDED', 'scrape deadline exceeded', {
    cause: signal.reason,
    retryable: true,
  });
}

function destroy(client: pg.Client): void {
  // pg has no AbortSignal support: ending the socket is the only way to stop waiting on it
  const connection = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
  connection?.stream?.destroy();
  void client.end().catch(() => undefined);
}

async function raceSignal<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort();
    promise.catch(() => undefined);
    throw deadline(signal);
  }
  let listener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    listener = () => {
      onAbort();
      reject(deadline(signal));
    };
    signal.addEventListener('abort', listener, { once: true });
  });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (listener) signal.removeEventListener('abort', listener);
  }
}
