import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { findBinary } from './binaries';
import { freePort, lostPortRace, PORT_ATTEMPTS } from './ports';
import { type ManagedProcess, spawnChild } from './process';
import { makeTempDir, removeTempDir } from './temp';
import { GiveUpWaiting, waitFor } from './wait';

const PACKAGE = 'postgresql';
const HOST = '127.0.0.1';
const USER = 'postgres';
const START_TIMEOUT_MS = 30_000;

export interface PgServer {
  host: string;
  port: number;
  user: string;
  dataDir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust auth, no password). */
  url(database?: string): string;
  // biome-ignore lint/suspicious/noExplicitAny: the contract's default row type, like pg's own QueryResultRow
  query<R = any>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  /** Fast shutdown; the data stays, start() brings the same server back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface PostgresCluster {
  primary: PgServer;
  /** A streaming replica made with pg_basebackup -R (absent when started with replica: false). */
  replica: PgServer;
  /** Resolves when the replica has replayed the primary's current WAL position. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  /** Creates a uniquely named database on the primary and returns its name. */
  createDatabase(name?: string): Promise<string>;
  /** Stops both servers (immediate shutdown) and removes their temp dirs. */
  destroy(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Start a streaming replica too (default true). */
  replica?: boolean;
  /** Extra postgresql.conf settings for both servers, e.g. { max_connections: '200' }. */
  settings?: Record<string, string>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. As root (this machine, CI containers) every PostgreSQL binary
 * runs as the Debian `postgres` system user, and its directories are owned by it.
 */
function unprivilegedUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.split('\n').find((entry) => entry.startsWith(`${name}:`));
    const fields = line?.split(':');
    if (fields && fields.length > 3) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error(
    'running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as (it refuses root)',
  );
}

async function run(command: string, args: string[], cwd: string, runAs: RunAs | undefined): Promise<void> {
  const name = path.basename(command);
  const child = spawnChild({ name, command, args, cwd, env: childEnv(cwd), ...(runAs ?? {}) });
  const status = await child.waitForExit(120_000).catch(async (error: unknown) => {
    await child.stop('SIGKILL', 5_000);
    throw error;
  });
  if (status.code !== 0) {
    throw new Error(
      `${name} ${args.join(' ')} failed (exit ${status.code ?? status.signal}):\n${child.outputTail(40)}`,
    );
  }
}

function childEnv(home: string): NodeJS.ProcessEnv {
  // LC_ALL=C: initdb must not depend on the host's locales; PGTZ keeps timestamps comparable.
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
}

function confLines(settings: Record<string, string>): string {
  return `${Object.entries(settings)
    .map(([key, value]) => `${key} = ${quoteSetting(value)}`)
    .join('\n')}\n`;
}

function quoteSetting(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

async function queryOnce<R>(port: number, database: string, sql: string, params?: unknown[]): Promise<R[]> {
  const client = new Client({
    host: HOST,
    port,
    user: USER,
    database,
    connectionTimeoutMillis: 5_000,
  });
  // an 'error' after connect (server shut down under us) must not crash the test process
  client.on('error', () => {});
  await client.connect();
  try {
    const result = await client.query(sql, params as unknown[] | undefined);
    return result.rows as R[];
  } finally {
    await client.end().catch(() => {});
  }
}

class LocalPgServer implements PgServer {
  readonly host = HOST;
  readonly user = USER;
  readonly dataDir: string;
  private process: ManagedProcess | undefined;

  constructor(
    private readonly role: 'primary' | 'replica',
    readonly baseDir: string,
    public port: number,
    readonly runAs: RunAs | undefined,
  ) {
    this.dataDir = path.join(baseDir, 'data');
  }

  get logFile(): string {
    return path.join(this.baseDir, 'postgres.log');
  }

  url(database = 'postgres'): string {
    return `postgres://${USER}@${HOST}:${this.port}/${encodeURIComponent(database)}`;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the contract's default row type, like pg's own QueryResultRow
  query<R = any>(sql: string, params?: unknown[], database = 'postgres'): Promise<R[]> {
    return queryOnce<R>(this.port, database, sql, params);
  }

  async start(): Promise<void> {
    if (this.process && !this.process.hasExited) return;
    // postgres itself, not pg_ctl: pg_ctl daemonizes, so the postmaster would no longer be our
    // child and could outlive a crashed test unnoticed.
    const child = spawnChild({
      name: `postgres ${this.role}`,
      command: findBinary('postgres', PACKAGE),
      args: ['-D', this.dataDir],
      cwd: this.baseDir,
      env: childEnv(this.baseDir),
      logFile: this.logFile,
      ...(this.runAs ?? {}),
    });
    this.process = child;
    await waitFor(
      async () => {
        if (child.hasExited) {
          throw new GiveUpWaiting(
            `postgres ${this.role} exited (code ${child.exitCode}) while starting:\n${child.outputTail(30)}`,
          );
        }
        await this.query('SELECT 1');
        return true;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 50, what: `postgres ${this.role} on ${HOST}:${this.port}` },
    ).catch((error: unknown) => {
      if (error instanceof GiveUpWaiting) throw error;
      throw new Error(`${(error as Error).message}\n--- postgres log tail ---\n${child.outputTail(30)}`, {
        cause: error,
      });
    });
  }

  /** The first start: on losing the race for its port, moves to another free port and retries. */
  async startOnFreePort(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.start();
        return;
      } catch (error) {
        if (!(error instanceof GiveUpWaiting && attempt < PORT_ATTEMPTS && lostPortRace(this.output())))
          throw error;
        this.port = await freePort();
        writeConf(this.dataDir, { port: String(this.port) });
      }
    }
  }

  /** SIGINT = fast shutdown: active sessions are cancelled, the data stays consistent. */
  async stop(): Promise<void> {
    await this.process?.stop('SIGINT', 30_000);
  }

  /** SIGQUIT = immediate shutdown, enough when the data is thrown away right after. */
  async kill(): Promise<void> {
    await this.process?.stop('SIGQUIT', 5_000);
  }

  output(): string {
    return this.process?.output() ?? '';
  }
}

function writeConf(dataDir: string, settings: Record<string, string>): void {
  appendFileSync(path.join(dataDir, 'postgresql.conf'), `\n# reelwatch testkit\n${confLines(settings)}`);
}

/**
 * Starts a throwaway PostgreSQL primary (initdb into a temp dir, a free 127.0.0.1 port, trust auth)
 * and, by default, a streaming replica made with pg_basebackup -R. Durability is switched off
 * (fsync, synchronous_commit, full_page_writes): the data lives only as long as the test.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const initdb = findBinary('initdb', PACKAGE);
  findBinary('postgres', PACKAGE);
  const withReplica = options.replica ?? true;
  const pgBasebackup = withReplica ? findBinary('pg_basebackup', PACKAGE) : '';
  const runAs = unprivilegedUser();
  const servers: LocalPgServer[] = [];
  const dirs: string[] = [];

  const destroy = async () => {
    await Promise.all(servers.map((server) => server.kill()));
    for (const dir of dirs) removeTempDir(dir);
  };
  // each server joins servers and dirs as soon as it exists, so a failed start cleans it up too
  const newServer = async (role: 'primary' | 'replica') => {
    const dir = makeTempDir(`pg-${role}`, runAs);
    dirs.push(dir);
    const server = new LocalPgServer(role, dir, await freePort(), runAs);
    servers.push(server);
    return server;
  };

  try {
    const primary = await newServer('primary');
    await startPrimary(primary, initdb, options.settings);
    let replica: LocalPgServer | undefined;
    if (withReplica) {
      replica = await newServer('replica');
      await startReplica(replica, primary, pgBasebackup);
    }
    return clusterOf(primary, replica, destroy);
  } catch (error) {
    await destroy().catch(() => {});
    throw error;
  }
}

/** initdb, the test settings, replication allowed from localhost, then the first start. */
async function startPrimary(
  primary: LocalPgServer,
  initdb: string,
  settings: Record<string, string> | undefined,
): Promise<void> {
  await run(
    initdb,
    ['-D', primary.dataDir, '-A', 'trust', '-U', USER, '--no-sync', '-E', 'UTF8', '--locale=C'],
    primary.baseDir,
    primary.runAs,
  );
  writeConf(primary.dataDir, {
    listen_addresses: HOST,
    port: String(primary.port),
    // never the system's /var/run/postgresql: it belongs to the system server
    unix_socket_directories: primary.baseDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    wal_level: 'replica',
    max_wal_senders: '5',
    wal_keep_size: '256MB',
    hot_standby: 'on',
    shared_buffers: '16MB',
    max_connections: '100',
    logging_collector: 'off',
    log_min_messages: 'warning',
    log_line_prefix: '%m [%p] ',
    ...settings,
  });
  appendFileSync(
    path.join(primary.dataDir, 'pg_hba.conf'),
    '\n# reelwatch testkit: replication from localhost without a password\nhost replication all 127.0.0.1/32 trust\n',
  );
  await primary.startOnFreePort();
}

/** pg_basebackup -R from the primary, then start and wait until the primary sees it streaming. */
async function startReplica(
  replica: LocalPgServer,
  primary: LocalPgServer,
  pgBasebackup: string,
): Promise<void> {
  await run(
    pgBasebackup,
    [
      '-h',
      HOST,
      '-p',
      String(primary.port),
      '-U',
      USER,
      '-D',
      replica.dataDir,
      '-R',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ],
    replica.baseDir,
    replica.runAs,
  );
  // postgresql.conf came over from the primary: later lines win, so override its port and socket
  writeConf(replica.dataDir, { port: String(replica.port), unix_socket_directories: replica.baseDir });
  await replica.startOnFreePort();
  await waitFor(
    async () => {
      const rows = await primary.query<{ state: string }>('SELECT state FROM pg_stat_replication');
      return rows.some((row) => row.state === 'streaming');
    },
    {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 50,
      what: "the replica to show as 'streaming' on the primary",
    },
  );
}

function clusterOf(
  primary: LocalPgServer,
  replica: LocalPgServer | undefined,
  destroy: () => Promise<void>,
): PostgresCluster {
  return {
    primary,
    get replica(): PgServer {
      if (!replica) throw new Error('this PostgresCluster was started with replica: false');
      return replica;
    },
    async waitForReplay(timeoutMs = 15_000) {
      if (!replica) throw new Error('this PostgresCluster was started with replica: false');
      // the insert position, not pg_current_wal_lsn() (the write position): with
      // synchronous_commit=off a just-committed transaction may not be written yet
      const [row] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
      const target = row!.lsn;
      await waitFor(
        async () => {
          const [state] = await replica.query<{ done: boolean }>(
            'SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS done',
            [target],
          );
          return state?.done === true;
        },
        { timeoutMs, intervalMs: 25, what: `the replica to replay up to ${target}` },
      );
    },
    async createDatabase(name?: string) {
      const database = name ?? `test_${randomBytes(6).toString('hex')}`;
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) {
        throw new Error(`createDatabase: ${JSON.stringify(database)} is not a plain lower-case identifier`);
      }
      await primary.query(`CREATE DATABASE "${database}"`);
      return database;
    },
    destroy,
  };
}
