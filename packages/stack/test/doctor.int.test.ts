import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PORT_NAMES } from '../src/components';
import { findBinary } from '../src/native/binaries';
import { systemPostgresRoot } from '../src/native/postgres-root';
import { runStack } from '../src/run';
import { Capture, REPO_ROOT } from './support';
import { freePortBase } from './support-ports';

// Everything the native stack needs but redis-server: a PATH that hides one binary.
const PRESENT = [
  'initdb',
  'postgres',
  'pg_basebackup',
  'kcat',
  'prometheus',
  'prometheus-pushgateway',
  'prometheus-alertmanager',
];

describe('doctor on a broken setup', () => {
  let binDir: string;
  let stateDir: string;
  let blocker: net.Server;
  let base: number;
  let prometheusPort: number;

  beforeAll(async () => {
    binDir = mkdtempSync(path.join(os.tmpdir(), 'stack-doctor-bin-'));
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'stack-doctor-state-'));
    for (const binary of PRESENT) {
      const found = findBinary(binary);
      if (!found) throw new Error(`${binary} is needed for this test and is not installed`);
      symlinkSync(found, path.join(binDir, binary));
    }
    base = await freePortBase();
    prometheusPort = base + PORT_NAMES.indexOf('prometheus');
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(prometheusPort, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
    rmSync(binDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function doctor(json: boolean) {
    const stdout = new Capture();
    const code = await runStack(
      [
        'doctor',
        '--mode',
        'native',
        '--state-dir',
        stateDir,
        '--port-base',
        String(base),
        ...(json ? ['--json'] : []),
      ],
      { stdout, stderr: new Capture(), root: REPO_ROOT, env: { PATH: binDir } },
    );
    return { code, text: stdout.text };
  }

  it('names the taken port and the missing binary, each with its fix, and exits 1', async () => {
    const { code, text } = await doctor(false);
    expect(code).toBe(1);
    expect(text).toContain(
      `FAIL ports          port ${prometheusPort} (prometheus) is taken by another process`,
    );
    expect(text).toContain(
      `fix: stop what listens on ${prometheusPort} (ss -ltnp 'sport = :${prometheusPort}'), or move the whole native stack: pnpm stack up --port-base <port>`,
    );
    expect(text).toContain('FAIL binaries       redis-server is missing (redis)');
    expect(text).toContain('fix: apt-get install redis-server');
    expect(text).toMatch(/2 errors, \d+ warnings/);
  });

  it('reports the same findings as JSON, errors first-class, nothing else on stdout', async () => {
    const { code, text } = await doctor(true);
    expect(code).toBe(1);
    const doc = JSON.parse(text) as {
      ok: boolean;
      findings: { check: string; severity: string; message: string; fix?: string }[];
    };
    expect(doc.ok).toBe(false);
    const errors = doc.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.check)).toEqual(['ports', 'binaries']);
    expect(errors.every((f) => typeof f.fix === 'string' && f.fix.length > 0)).toBe(true);
    expect(doc.findings.find((f) => f.check === 'disk')?.message).toMatch(/GiB free at /);
  });

  it('passes once the binary is back on PATH and the port is free again', async () => {
    symlinkSync(findBinary('redis-server')!, path.join(binDir, 'redis-server'));
    await new Promise((resolve) => blocker.close(resolve));
    const { code, text } = await doctor(false);
    expect(text).not.toContain('FAIL');
    expect(code).toBe(0);
    blocker = net.createServer(); // closed again in afterAll
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  });
});

describe('doctor on a state dir PostgreSQL cannot reach', () => {
  let parent: string;
  beforeAll(() => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'stack-doctor-private-')); // mode 0700
  });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('says, as root, that PostgreSQL data goes to a root-owned place under /var/lib instead, and is not an error', async () => {
    const stdout = new Capture();
    const stateDir = path.join(parent, 'state');
    const code = await runStack(['doctor', '--mode', 'native', '--state-dir', stateDir, '--json'], {
      stdout,
      stderr: new Capture(),
      root: REPO_ROOT,
      env: { PATH: process.env.PATH },
    });
    const doc = JSON.parse(stdout.text) as {
      findings: { check: string; severity: string; message: string; fix?: string }[];
    };
    const finding = doc.findings.find((f) => f.check === 'state dir');
    if (process.getuid?.() === 0) {
      // PostgreSQL refuses root, so as root it runs as `postgres`, which cannot enter a 0700 root-owned dir
      const system = systemPostgresRoot(stateDir);
      expect(system).toMatch(/^\/var\/lib\/reelwatch-stack\/[0-9a-f]{16}$/);
      expect(finding).toEqual({
        check: 'state dir',
        severity: 'ok',
        message:
          `PostgreSQL runs as the postgres user, which cannot enter ${parent}: its data goes to ${system} ` +
          `(root-owned; pnpm stack down --volumes removes it), the rest to ${stateDir}`,
      });
      expect(doc.findings.filter((f) => f.check === 'state dir' && f.severity === 'error')).toEqual([]);
      // doctor changes nothing
      expect(existsSync(system)).toBe(false);
    } else {
      // not root: PostgreSQL runs as this user, who owns the dir
      expect(finding).toBeUndefined();
    }
    expect(code).toEqual(expect.any(Number));
  });
});
