import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@reelwatch/testkit';
import { runStack } from '../../src/run';
import { Capture, REPO_ROOT } from '../support';

describe('native logs', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'stack-logs-'));
    mkdirSync(path.join(stateDir, 'logs'));
    writeFileSync(path.join(stateDir, 'logs', 'redis.log'), 'r1\nr2\nr3\n');
    writeFileSync(path.join(stateDir, 'logs', 'ingestion.log'), 'i1\ni2\n');
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  const run = (argv: string[], stdout: Capture, signal?: AbortSignal) =>
    runStack([...argv, '--mode', 'native', '--state-dir', stateDir, '--no-color'], {
      stdout,
      stderr: new Capture(),
      root: REPO_ROOT,
      env: { PATH: process.env.PATH },
      ...(signal ? { signal } : {}),
    });

  it('prints the last lines of every component, prefixed by its name, in start order', async () => {
    const stdout = new Capture();
    expect(await run(['logs', '--tail', '2'], stdout)).toBe(0);
    expect(stdout.text).toBe(
      `${'redis'.padEnd(16)} | r2\n${'redis'.padEnd(16)} | r3\n${'ingestion'.padEnd(16)} | i1\n${'ingestion'.padEnd(16)} | i2\n`,
    );
  });

  it('follows one component with -f until interrupted, without a prefix', async () => {
    const stdout = new Capture();
    const controller = new AbortController();
    const done = run(['logs', 'redis', '-f', '-n', '1'], stdout, controller.signal);
    await waitFor(() => stdout.text === 'r3\n', { timeoutMs: 5_000, what: 'the last line' });
    appendFileSync(path.join(stateDir, 'logs', 'redis.log'), 'r4\n');
    await waitFor(() => stdout.text === 'r3\nr4\n', { timeoutMs: 5_000, what: 'the appended line' });
    controller.abort();
    expect(await done).toBe(0);
  });

  it('rejects a component that does not exist, naming those that do', async () => {
    const stderr = new Capture();
    const code = await runStack(['logs', 'kafka-init', '--mode', 'native', '--state-dir', stateDir], {
      stdout: new Capture(),
      stderr,
      root: REPO_ROOT,
      env: { PATH: process.env.PATH },
    });
    expect(code).toBe(2);
    expect(stderr.text).toContain(
      'no component kafka-init; components: postgres-primary, postgres-replica, kafka',
    );
  });
});
