// The @reelwatch/testkit contract other packages code against (BRIEF.md). The assignments are
// checked by `pnpm typecheck`; the test checks the runtime exports.
import * as testkit from '../src';

type Contract = {
  findBinary: (binary: string, debianPackage: string) => string;
  freePort: () => Promise<number>;
  waitFor: <T>(
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    options: { timeoutMs: number; intervalMs?: number; what: string },
  ) => Promise<T>;
  startPostgres: (options?: { replica?: boolean; settings?: Record<string, string> }) => Promise<{
    primary: ContractPgServer;
    replica: ContractPgServer;
    waitForReplay(timeoutMs?: number): Promise<void>;
    createDatabase(name?: string): Promise<string>;
    destroy(): Promise<void>;
  }>;
  startKafka: (options?: { brokers?: number }) => Promise<{ brokers: string[]; destroy(): Promise<void> }>;
  startRedis: () => Promise<{ host: string; port: number; url: string; destroy(): Promise<void> }>;
  startPrometheus: (options: {
    config: string;
    files?: Record<string, string>;
    scrapeIntervalSec?: number;
  }) => Promise<{
    url: string;
    port: number;
    query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
    queryRange(
      expr: string,
      startSec: number,
      endSec: number,
      stepSec: number,
    ): Promise<Array<{ metric: Record<string, string>; values: [number, string][] }>>;
    waitForTargets(options?: { timeoutMs?: number; job?: string }): Promise<void>;
    destroy(): Promise<void>;
  }>;
  startPushgateway: () => Promise<{ url: string; port: number; destroy(): Promise<void> }>;
  startAlertmanager: (options?: {
    config?: string;
  }) => Promise<{ url: string; port: number; destroy(): Promise<void> }>;
  startService: (options: {
    entry: string;
    env: Record<string, string>;
    port: number;
    healthPath?: string;
    timeoutMs?: number;
  }) => Promise<{
    pid: number;
    url: string;
    port: number;
    output(): string;
    stop(signal?: NodeJS.Signals): Promise<number | null>;
    kill9(): Promise<void>;
  }>;
};

interface ContractPgServer {
  host: string;
  port: number;
  user: string;
  dataDir: string;
  url(database?: string): string;
  query<R = unknown>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const implementation: Contract = testkit;
const missingBinary: { binary: string; debianPackage: string } & Error = new testkit.MissingBinaryError(
  'a',
  'b',
);

test('index exports every function and class of the testkit contract', () => {
  expect(Object.keys(implementation)).toEqual(
    expect.arrayContaining([
      'MissingBinaryError',
      'findBinary',
      'freePort',
      'waitFor',
      'startPostgres',
      'startKafka',
      'startRedis',
      'startPrometheus',
      'startPushgateway',
      'startAlertmanager',
      'startService',
    ]),
  );
  expect(missingBinary.message).toBe('a not found: install the Debian package b (apt-get install b)');
});
