import { Writable } from 'node:stream';
import { createLogger, Lifecycle } from '../src';
import { killIfRunning, runTypeScript, type TypeScriptChild, waitFor } from './helpers';

const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
const logger = createLogger({ service: 'lifecycle-test', level: 'silent', destination: silent });

describe('Lifecycle in a real process', () => {
  let service: TypeScriptChild | undefined;
  afterEach(() => killIfRunning(service?.child));

  async function startService(env: Record<string, string>): Promise<TypeScriptChild> {
    service = runTypeScript('lifecycle-service.ts', env);
    const running = service;
    await waitFor(() => running.output().includes('ready\n') || running.child.exitCode !== null, {
      timeoutMs: 20_000,
      what: 'the lifecycle fixture to print "ready"',
    });
    expect(running.child.exitCode).toBeNull();
    return running;
  }

  test('SIGTERM stops work, runs the hooks in registration order within the deadline and exits 0', async () => {
    const running = await startService({
      HOOKS: 'http,consumer,database',
      HOOK_MS: '100',
      DEADLINE_MS: '5000',
    });
    const started = Date.now();
    running.child.kill('SIGTERM');
    const { code } = await running.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    const events = running
      .output()
      .split('\n')
      .filter((line) => line.startsWith('hook ') || line.startsWith('work stopped'));
    expect(events).toEqual([
      'work stopped: SIGTERM',
      'hook http start (SIGTERM)',
      'hook http end',
      'hook consumer start (SIGTERM)',
      'hook consumer end',
      'hook database start (SIGTERM)',
      'hook database end',
    ]);
    expect(running.output()).toContain('"msg":"shutdown complete"');
  });

  test('SIGINT shuts down the same way', async () => {
    const running = await startService({ HOOKS: 'only', HOOK_MS: '10' });
    running.child.kill('SIGINT');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.output()).toContain('hook only end');
  });

  test('a second SIGTERM during shutdown is logged and the hooks still finish', async () => {
    const running = await startService({ HOOKS: 'slow', HOOK_MS: '1000' });
    running.child.kill('SIGTERM');
    await waitFor(() => running.output().includes('hook slow start'), {
      timeoutMs: 5000,
      what: 'the slow hook to start',
    });
    running.child.kill('SIGTERM');
    const { code } = await running.exited;
    expect(code).toBe(0);
    expect(running.output()).toContain('already shutting down');
    expect(running.output()).toContain('hook slow end');
  });

  test('a hook that hangs hits the deadline: the log names it and the process exits 1', async () => {
    const running = await startService({
      HOOKS: 'http,stuck,database',
      HANG_HOOK: 'stuck',
      DEADLINE_MS: '500',
    });
    const started = Date.now();
    running.child.kill('SIGTERM');
    const { code } = await running.exited;
    expect(code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(running.output()).toContain('hook http end');
    expect(running.output()).not.toContain('hook database start');
    expect(running.output()).toMatch(
      /"hook":"stuck".*shutdown deadline of 500 ms passed while hook stuck was running/,
    );
  });

  test('an unhandled promise rejection is logged and exits non-zero', async () => {
    service = runTypeScript('lifecycle-service.ts', { CRASH: 'rejection' });
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(service.output()).toMatch(
      /"level":60.*"message":"boom: nobody awaited me".*unhandled promise rejection/,
    );
  });

  test('an uncaught exception is logged and exits non-zero', async () => {
    service = runTypeScript('lifecycle-service.ts', { CRASH: 'exception' });
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(service.output()).toMatch(/"level":60.*"message":"boom: thrown from a timer".*uncaught exception/);
  });
});

describe('Lifecycle with an injected exit', () => {
  test('shutdown() aborts the signal, runs hooks once in order and exits 0', async () => {
    const codes: number[] = [];
    const order: string[] = [];
    const lifecycle = new Lifecycle({ logger, exit: (code) => codes.push(code) });
    lifecycle.onShutdown('first', async (reason) => {
      expect(lifecycle.signal.aborted).toBe(true);
      order.push(`first:${reason}`);
    });
    lifecycle.onShutdown('second', () => {
      order.push('second');
    });
    expect(lifecycle.stopping).toBe(false);
    const first = lifecycle.shutdown('job finished');
    expect(lifecycle.stopping).toBe(true);
    await Promise.all([first, lifecycle.shutdown('again')]);
    expect(lifecycle.signal.reason).toBe('job finished');
    expect(order).toEqual(['first:job finished', 'second']);
    expect(codes).toEqual([0]);
  });

  test('a hook that throws is logged, the rest still run, and the exit code is 1', async () => {
    const codes: number[] = [];
    const ran: string[] = [];
    const lifecycle = new Lifecycle({ logger, exit: (code) => codes.push(code) });
    lifecycle.onShutdown('broken', () => {
      throw new Error('cannot flush');
    });
    lifecycle.onShutdown('after', () => {
      ran.push('after');
    });
    await lifecycle.shutdown('test');
    expect(ran).toEqual(['after']);
    expect(codes).toEqual([1]);
  });

  test('install() and uninstall() add and remove the process handlers', () => {
    const lifecycle = new Lifecycle({ logger, exit: () => undefined });
    const before = process.listenerCount('SIGTERM');
    lifecycle.install();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    expect(process.listenerCount('unhandledRejection')).toBeGreaterThanOrEqual(1);
    lifecycle.uninstall();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
