import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCommandLine } from '../src/cli';
import { PORT_NAMES } from '../src/components';
import { StackError } from '../src/errors';
import { Output, stripAnsi, wantsColor } from '../src/output';
import { runStack } from '../src/run';
import { Capture, REPO_ROOT } from './support';

const ROOT = '/repo';

describe('parseCommandLine', () => {
  it('finds the command and its options wherever the global options are', () => {
    const line = parseCommandLine(['--json', 'logs', 'ingestion', '-f', '--tail', '5'], {}, ROOT);
    expect(line.command?.name).toBe('logs');
    expect(line.json).toBe(true);
    expect(line.values.follow).toBe(true);
    expect(line.values.tail).toBe('5');
    expect(line.positionals).toEqual(['ingestion']);
  });

  it('defaults the state dir to .stack in the repo, mode auto, no port base', () => {
    const line = parseCommandLine(['status'], {}, ROOT);
    expect(line.stateDir).toBe('/repo/.stack');
    expect(line.mode).toBe('auto');
    expect(line.portBase).toBeUndefined();
  });

  it('takes state dir, mode and port base from the environment, flags winning', () => {
    const env = {
      REELWATCH_STACK_DIR: '/tmp/s',
      REELWATCH_STACK_MODE: 'native',
      REELWATCH_STACK_PORT_BASE: '20000',
    };
    expect(parseCommandLine(['up'], env, ROOT)).toMatchObject({
      stateDir: '/tmp/s',
      mode: 'native',
      portBase: 20000,
    });
    expect(parseCommandLine(['up', '--port-base', '30000', '--state-dir', 'x'], env, ROOT)).toMatchObject({
      stateDir: '/repo/x',
      portBase: 30000,
    });
  });

  it('takes the Compose env file from --env-file, REELWATCH_STACK_ENV_FILE, else compose/.env', () => {
    expect(parseCommandLine(['status'], {}, ROOT).envFile).toBe('/repo/compose/.env');
    expect(parseCommandLine(['status'], { REELWATCH_STACK_ENV_FILE: '/tmp/a.env' }, ROOT).envFile).toBe(
      '/tmp/a.env',
    );
    expect(
      parseCommandLine(['status', '--env-file', 'b.env'], { REELWATCH_STACK_ENV_FILE: '/tmp/a.env' }, ROOT)
        .envFile,
    ).toBe('/repo/b.env');
  });

  it('collects up --without, repeated or comma-separated', () => {
    const line = parseCommandLine(['up', '--without', 'grafana,kafka', '--without', 'redis'], {}, ROOT);
    expect(line.values.without).toEqual(['grafana,kafka', 'redis']);
  });

  it.each([
    [
      ['frobnicate'],
      /unknown command "frobnicate"; commands: up, down, status, logs, stop, start, urls, doctor/,
    ],
    [['up', '--volumes'], /Unknown option '--volumes'/],
    [['status', 'extra'], /status takes no arguments, got: extra/],
    [['logs', 'a', 'b'], /logs takes \[service\], got: a b/],
    [['stop'], /stop takes <component>, got: none/],
    [['up', '--mode', 'podman'], /--mode must be auto, docker or native/],
    [['up', '--port-base', '80'], /--port-base must be a port number from 1024 to 65000/],
  ])('rejects %j as a usage error', (argv, message) => {
    let caught: unknown;
    try {
      parseCommandLine(argv, {}, ROOT);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StackError);
    expect((caught as StackError).code).toBe('USAGE');
    expect((caught as Error).message).toMatch(message);
  });
});

describe('output', () => {
  it('paints on a terminal and stays plain in a pipe or with NO_COLOR', () => {
    expect(wantsColor({ write: () => true, isTTY: true }, {}, undefined)).toBe(true);
    expect(wantsColor({ write: () => true, isTTY: false }, {}, undefined)).toBe(false);
    expect(wantsColor({ write: () => true, isTTY: true }, { NO_COLOR: '1' }, undefined)).toBe(false);
    expect(wantsColor({ write: () => true, isTTY: true }, {}, false)).toBe(false);
    const tty = new Output({ stdout: new Capture(true), stderr: new Capture(), json: false, color: true });
    expect(tty.paint('ok', 'healthy')).toBe('\u001b[32mhealthy\u001b[39m');
    const plain = new Output({ stdout: new Capture(false), stderr: new Capture(), json: false });
    expect(plain.paint('ok', 'healthy')).toBe('healthy');
  });

  it('pads table columns by visible width, colour codes not counted', () => {
    const stdout = new Capture(true);
    const out = new Output({ stdout, stderr: new Capture(), json: false, color: true });
    out.table([
      [out.paint('ok', 'a'), 'x'],
      ['long-name', 'y'],
    ]);
    expect(stripAnsi(stdout.text)).toBe('  a          x\n  long-name  y\n');
  });
});

describe('runStack', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'stack-cli-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  async function run(argv: string[]) {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runStack(argv, { stdout, stderr, root: REPO_ROOT, env: { PATH: process.env.PATH } });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('prints the usage with every command for --help, exit 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const name of ['up', 'down', 'status', 'logs [service]', 'urls', 'doctor'])
      expect(result.stdout).toContain(`  ${name}`);
  });

  it('prints a command’s own options for <command> --help', async () => {
    const result = await run(['down', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: pnpm stack down');
    expect(result.stdout).toContain('--volumes');
  });

  it('exits 2 with the problem on stderr for a usage error', async () => {
    const result = await run(['up', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/error: Unknown option '--bogus'/);
  });

  it('answers a usage error under --json with one JSON document naming its code', async () => {
    const result = await run(['--json', 'status', 'extra']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: { code: 'USAGE', message: 'status takes no arguments, got: extra' },
    });
  });

  it('says natively that nothing runs: status exits 3, in text and as JSON', async () => {
    const text = await run(['status', '--mode', 'native', '--state-dir', stateDir]);
    expect(text.code).toBe(3);
    expect(text.stdout).toContain('stack (native): not running');
    const json = await run(['status', '--mode', 'native', '--state-dir', stateDir, '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      mode: 'native',
      running: false,
      healthy: false,
      problems: ['not running'],
    });
  });

  it('lists the native URLs for a port base as JSON for scripts', async () => {
    const result = await run([
      'urls',
      '--mode',
      'native',
      '--state-dir',
      stateDir,
      '--port-base',
      '21000',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as {
      mode: string;
      running: boolean;
      urls: { name: string; url: string }[];
    };
    expect(doc.mode).toBe('native');
    expect(doc.running).toBe(false);
    expect(doc.urls).toEqual(
      expect.arrayContaining([
        { name: 'postgres-primary', url: 'postgres://postgres@127.0.0.1:21000/reelwatch' },
        {
          name: 'prometheus',
          // with a port base B the i-th component with a port listens on B + i
          url: `http://127.0.0.1:${21000 + PORT_NAMES.indexOf('prometheus')}`,
          note: 'targets: /targets, alerts: /alerts',
        },
      ]),
    );
  });
});
