import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  CONFIG_EXIT_CODE,
  ConfigError,
  defaultPrefixes,
  describeConfig,
  envBoolean,
  envDurationMs,
  envList,
  envLogLevel,
  envPort,
  keepEmptyValue,
  loadConfig,
  loadConfigOrExit,
  renderConfigTable,
} from '../src';
import { killIfRunning, runTypeScript, type TypeScriptChild } from './helpers';

const schema = z.object({
  SHOP_PORT: envPort().default(9400).describe('HTTP port of /metrics'),
  SHOP_DATABASE_URL: z.string().describe('PostgreSQL DSN of the primary'),
  SHOP_DB_PASSWORD: z.string().min(8).describe('database password'),
  SHOP_VERBOSE: envBoolean().default(false).describe('log every request'),
  SHOP_BROKERS: envList().default(['127.0.0.1:9092']).describe('Kafka brokers, comma-separated'),
  SHOP_POLL_INTERVAL: envDurationMs().default(1000).describe('how often to poll'),
  SHOP_LOG_LEVEL: envLogLevel().default('info').describe('pino log level'),
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'service-kit-config-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function captureError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('parses valid variables into typed values and applies defaults', () => {
    const config = loadConfig(schema, {
      envFile: false,
      env: {
        SHOP_DATABASE_URL: 'postgres://shop@127.0.0.1/shop',
        SHOP_DB_PASSWORD: 'long-enough',
        SHOP_VERBOSE: 'TRUE',
        SHOP_BROKERS: 'a:1, b:2,,',
        SHOP_POLL_INTERVAL: '5s',
      },
    });
    expect(config).toEqual({
      SHOP_PORT: 9400,
      SHOP_DATABASE_URL: 'postgres://shop@127.0.0.1/shop',
      SHOP_DB_PASSWORD: 'long-enough',
      SHOP_VERBOSE: true,
      SHOP_BROKERS: ['a:1', 'b:2'],
      SHOP_POLL_INTERVAL: 5000,
      SHOP_LOG_LEVEL: 'info',
    });
  });

  test('throws one ConfigError naming every problem: missing, bad type, unknown variable', () => {
    const error = captureError(() =>
      loadConfig(schema, {
        envFile: false,
        env: {
          SHOP_PORT: 'eighty',
          SHOP_DB_PASSWORD: 'short',
          SHOP_VERBOSE: 'maybe',
          SHOP_LOG_LEVL: 'debug',
          OTHER_THING: 'not ours',
        },
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.problems).toHaveLength(5);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'SHOP_PORT: expected a port number 0-65535, got "eighty"',
        'SHOP_DATABASE_URL: missing (PostgreSQL DSN of the primary)',
        expect.stringMatching(/^SHOP_DB_PASSWORD: .*>=8/),
        expect.stringMatching(/^SHOP_VERBOSE: expected a boolean.*got "maybe"/),
        'SHOP_LOG_LEVL: unknown variable (did you mean SHOP_LOG_LEVEL?)',
      ]),
    );
    for (const problem of error.problems) expect(error.message).toContain(problem);
    expect(error.message).toMatch(/^invalid configuration \(5 problems\):/);
  });

  test('never shows the value of a secret variable in the error', () => {
    const error = captureError(() =>
      loadConfig(schema, {
        envFile: false,
        env: {
          SHOP_DATABASE_URL: 'postgres://shop:hunter2@db/shop',
          SHOP_DB_PASSWORD: 'hunter2',
          SHOP_PORT: 'x',
        },
      }),
    );
    expect(error.problems).toEqual([
      expect.stringMatching(/^SHOP_PORT: /),
      expect.stringMatching(/^SHOP_DB_PASSWORD: /),
    ]);
    expect(error.message).not.toContain('hunter2');
  });

  test('reads KEY_FILE with the trailing newline trimmed', () => {
    const secretFile = path.join(dir, 'db-password');
    writeFileSync(secretFile, 's3cret-from-file\n');
    const config = loadConfig(schema, {
      envFile: false,
      env: { SHOP_DATABASE_URL: 'postgres://db/shop', SHOP_DB_PASSWORD_FILE: secretFile },
    });
    expect(config.SHOP_DB_PASSWORD).toBe('s3cret-from-file');
  });

  test('an unreadable KEY_FILE and a key set both ways are problems', () => {
    const error = captureError(() =>
      loadConfig(schema, {
        envFile: false,
        env: {
          SHOP_DATABASE_URL: 'postgres://db/shop',
          SHOP_DATABASE_URL_FILE: path.join(dir, 'also'),
          SHOP_DB_PASSWORD_FILE: path.join(dir, 'does-not-exist'),
        },
      }),
    );
    expect(error.problems).toEqual([
      'SHOP_DATABASE_URL: both SHOP_DATABASE_URL and SHOP_DATABASE_URL_FILE are set; set only one',
      `SHOP_DB_PASSWORD_FILE: cannot read ${path.join(dir, 'does-not-exist')} (ENOENT)`,
    ]);
  });

  test('reads a .env file under the real environment, which wins', () => {
    const envFile = path.join(dir, 'service.env');
    writeFileSync(
      envFile,
      'SHOP_DATABASE_URL=postgres://from-file/shop\nSHOP_DB_PASSWORD=from-the-file\nSHOP_PORT=1\n',
    );
    const config = loadConfig(schema, { envFile, env: { SHOP_PORT: '2' } });
    expect(config).toMatchObject({
      SHOP_DATABASE_URL: 'postgres://from-file/shop',
      SHOP_DB_PASSWORD: 'from-the-file',
      SHOP_PORT: 2,
    });
  });

  test('a named env file that does not exist is a problem', () => {
    const error = captureError(() =>
      loadConfig(schema, {
        envFile: path.join(dir, 'missing.env'),
        env: { SHOP_DATABASE_URL: 'x', SHOP_DB_PASSWORD: '12345678' },
      }),
    );
    expect(error.problems).toEqual([expect.stringMatching(/missing\.env: cannot read \(ENOENT\)$/)]);
  });

  test('an empty value counts as unset so the default applies', () => {
    const config = loadConfig(schema, {
      envFile: false,
      env: { SHOP_PORT: '', SHOP_DATABASE_URL: 'postgres://db/shop', SHOP_DB_PASSWORD: '12345678' },
    });
    expect(config.SHOP_PORT).toBe(9400);
  });

  test('a field marked keepEmptyValue takes an empty value as is; unset, its default applies', () => {
    const push = z.object({
      SHOP_PUSH_URL: keepEmptyValue(
        z.string().default('http://127.0.0.1:9091').describe('empty = do not push'),
      ),
    });
    expect(loadConfig(push, { envFile: false, env: { SHOP_PUSH_URL: '' } }).SHOP_PUSH_URL).toBe('');
    expect(loadConfig(push, { envFile: false, env: {} }).SHOP_PUSH_URL).toBe('http://127.0.0.1:9091');
    const file = path.join(dir, 'push.env');
    writeFileSync(file, 'SHOP_PUSH_URL=\n');
    expect(loadConfig(push, { envFile: file, env: {} }).SHOP_PUSH_URL).toBe('');
    expect(describeConfig(push)).toEqual([
      {
        name: 'SHOP_PUSH_URL',
        default: 'http://127.0.0.1:9091',
        description: 'empty = do not push',
        secret: false,
        required: false,
      },
    ]);
  });

  test('explicit prefixes decide which variables count as unknown', () => {
    const error = captureError(() =>
      loadConfig(z.object({ SHOP_PORT: envPort().default(1).describe('port') }), {
        envFile: false,
        prefixes: ['SHOP_', 'STORE_'],
        env: { STORE_PORT: '1', SHOP_PORT_FILE_X: 'x' },
      }),
    );
    expect(error.problems).toEqual([
      'SHOP_PORT_FILE_X: unknown variable',
      'STORE_PORT: unknown variable (did you mean SHOP_PORT?)',
    ]);
  });
});

describe('defaultPrefixes', () => {
  test('owns the longest prefix each group of keys shares, never a generic one', () => {
    expect(defaultPrefixes(['SHOP_PORT', 'SHOP_DATABASE_URL'])).toEqual(['SHOP_']);
    expect(defaultPrefixes(['TASK_MONITOR_PORT', 'TASK_MONITOR_REDIS_URL'])).toEqual(['TASK_MONITOR_']);
    expect(defaultPrefixes(['TASK_MONITOR_PORT'])).toEqual(['TASK_MONITOR_']);
    expect(
      defaultPrefixes(['INGESTION_PORT', 'DATA_SOURCE_NAME', 'DATA_SOURCE_PASS', 'NODE_ENV', 'HOSTNAME']),
    ).toEqual(['INGESTION_', 'DATA_SOURCE_']);
  });
});

describe('loadConfigOrExit', () => {
  test('prints one message to stderr and exits with 78 through an injected exit', () => {
    const written: string[] = [];
    const codes: number[] = [];
    expect(() =>
      loadConfigOrExit('shop', schema, {
        envFile: false,
        env: { SHOP_PORT: '99999' },
        stderr: { write: (text: string) => written.push(text) },
        exit: (code) => codes.push(code),
      }),
    ).toThrow(ConfigError);
    expect(codes).toEqual([CONFIG_EXIT_CODE]);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^shop: invalid configuration \(3 problems\)/);
    expect(written[0]).toContain('SHOP_PORT: expected a port number 0-65535, got "99999"');
  });

  let child: TypeScriptChild | undefined;
  afterEach(() => killIfRunning(child?.child));

  test('a real service process with a bad config exits with code 78 naming every problem', async () => {
    child = runTypeScript('config-service.ts', {
      DEMO_PORT: 'abc',
      DEMO_PASSWORD: 'hunter2',
      DEMO_TYPO: '1',
    });
    const { code } = await child.exited;
    expect(code).toBe(78);
    const output = child.output();
    expect(output).toContain('DEMO_PORT: expected a port number 0-65535, got "abc"');
    expect(output).toContain('DEMO_DATABASE_URL: missing (PostgreSQL DSN)');
    expect(output).toContain('DEMO_PASSWORD: ');
    expect(output).toContain('DEMO_TYPO: unknown variable');
    expect(output).not.toContain('hunter2');
    expect(output).not.toContain('config ok');
  });

  test('a real service process with a good config starts', async () => {
    child = runTypeScript('config-service.ts', {
      DEMO_DATABASE_URL: 'postgres://db/demo',
      DEMO_PASSWORD: 'long-enough',
    });
    const { code } = await child.exited;
    expect(child.output()).toContain('config ok port=9400');
    expect(code).toBe(0);
  });
});

describe('describeConfig', () => {
  test('lists every variable with its default, description and whether it is secret', () => {
    const rows = describeConfig(schema);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(schema.shape));
    expect(rows[0]).toEqual({
      name: 'SHOP_PORT',
      default: '9400',
      description: 'HTTP port of /metrics',
      secret: false,
      required: false,
    });
    expect(rows[1]).toEqual({
      name: 'SHOP_DATABASE_URL',
      description: 'PostgreSQL DSN of the primary',
      secret: false,
      required: true,
    });
    expect(rows[2]).toMatchObject({ name: 'SHOP_DB_PASSWORD', secret: true, required: true });
    expect(rows[4]).toMatchObject({ name: 'SHOP_BROKERS', default: '127.0.0.1:9092' });
  });

  test('marks a secret by its description and masks DSN passwords in defaults', () => {
    const rows = describeConfig(
      z.object({
        X_SIGNING_KEY: z.string().describe('secret used to sign cookies'),
        X_DSN: z.string().default('postgres://app:devpass@localhost/app').describe('DSN'),
        X_API_TOKEN: z.string().default('dev-token').describe('token for the API'),
      }),
    );
    expect(rows).toEqual([
      { name: 'X_SIGNING_KEY', description: 'secret used to sign cookies', secret: true, required: true },
      {
        name: 'X_DSN',
        default: 'postgres://app:****@localhost/app',
        description: 'DSN',
        secret: false,
        required: false,
      },
      {
        name: 'X_API_TOKEN',
        default: '****',
        description: 'token for the API',
        secret: true,
        required: false,
      },
    ]);
  });

  test('renders the README table', () => {
    const table = renderConfigTable(schema).split('\n');
    expect(table[0]).toBe('| variable | default | description |');
    expect(table[2]).toBe('| `SHOP_PORT` | `9400` | HTTP port of /metrics |');
    expect(table[3]).toBe('| `SHOP_DATABASE_URL` | _required_ | PostgreSQL DSN of the primary |');
  });
});
