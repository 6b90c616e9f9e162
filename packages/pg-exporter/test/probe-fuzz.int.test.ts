import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  freePort,
  type PostgresCluster,
  pick,
  prng,
  type RawRequest,
  type ServiceProcess,
  sendRaw,
  startPostgres,
  startService,
} from '@reelwatch/testkit';

const dist = path.resolve(__dirname, '../dist/main.js');

let cluster: PostgresCluster;
let dir: string;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm -s build\` first`);
  cluster = await startPostgres({ replica: false });
  dir = mkdtempSync(path.join(tmpdir(), 'pgx-probe-fuzz-'));
});
afterAll(async () => {
  await service?.stop();
  await cluster?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const send = (base: string, r: RawRequest) => sendRaw(base, r);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('pg-exporter /probe under generated malformed requests', () => {
  it('answers every malformed target, parameter, method and body with a 4xx, never a 5xx, and keeps serving', async () => {
    const config = path.join(dir, 'postgres_exporter.yml');
    writeFileSync(
      config,
      `auth_modules:
  monitor:
    type: userpass
    userpass: { username: postgres, password: unused-with-trust }
    options: { sslmode: disable, connect_timeout: "2" }
`,
    );
    const port = await freePort();
    service = await startService({
      entry: dist,
      port,
      env: {
        DATA_SOURCE_NAME: cluster.primary.url('postgres'),
        PG_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}`,
        PG_EXPORTER_CONFIG_FILE: config,
        PG_EXPORTER_LOG_LEVEL: 'warn',
      },
      healthPath: '/healthz',
    });
    const real = `127.0.0.1:${cluster.primary.port}`;
    const closed = `127.0.0.1:${await freePort()}`;
    // Targets that cannot be a data source (a 400) and reachable or closed ones (a 200 with pg_up).
    const TARGETS = [
      '',
      ' ',
      '%',
      '%zz',
      '%E0%A4%A',
      '%00',
      'postgres://',
      'postgres://%zz@host/db',
      'postgresql://u:p@[::1/db',
      'postgresql://host:99999/db',
      'postgresql://host:-1/db',
      'host:port/db',
      ':5432',
      '=',
      'host=',
      'a=b=c',
      "host='unterminated",
      'sslmode=verify-full host=x',
      `${real}/postgres?sslmode=bogus`,
      `${real}/${'d'.repeat(5_000)}`,
      `${'h'.repeat(300)}:5432/db`,
      `${real}/postgres`,
      `${closed}/postgres`,
      `postgresql://${real}/no_such_db?sslmode=disable`,
      'javascript:alert(1)',
      '\u0000',
      '[]',
      '{}',
    ];
    const MODULES = ['', 'monitor', 'missing', '%zz', 'constructor', '__proto__', 'm'.repeat(2_000)];
    const random = prng(21);
    const all: RawRequest[] = [];
    // half encoded, half raw (only what Node refuses to send is escaped: controls, space, non-ASCII)
    const encode = (s: string) =>
      random() < 0.5 ? encodeURIComponent(s) : s.replace(/[^\u0021-\u007e]/g, (c) => encodeURIComponent(c));
    for (let i = 0; i < 400; i++) {
      const pairs: string[] = [];
      const targets = random() < 0.15 ? 2 : random() < 0.1 ? 0 : 1; // repeated or missing target
      for (let t = 0; t < targets; t++) pairs.push(`target=${encode(pick(random, TARGETS))}`);
      if (random() < 0.6) pairs.push(`auth_module=${encode(pick(random, MODULES))}`);
      if (random() < 0.2) pairs.push(`target[]=${encode(pick(random, TARGETS))}`);
      if (random() < 0.1) pairs.push(`collect[]=${'x'.repeat(3_000)}`);
      all.push({ method: 'GET', path: `/probe?${pairs.join('&')}` });
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      all.push({ method, path: `/probe?target=${real}/postgres` });
      all.push({
        method,
        path: '/probe',
        headers: { 'content-type': 'application/json' },
        body: `{"target": "${'x'.repeat(1_000_000)}"}`,
      });
      all.push({ method, path: '/metrics', headers: { 'content-type': 'text/plain' }, body: '{' });
    }
    all.push({ method: 'GET', path: `/probe?target=${'t'.repeat(100_000)}` });
    all.push({ method: 'GET', path: `/probe?${'a=1&'.repeat(10_000)}` });
    for (const odd of [
      '//evil:99999/probe',
      '//[::1/probe',
      '/probe%',
      '/%E0%A4%A',
      '//a@b:1/x',
      '*',
      'probe',
    ]) {
      all.push({ method: 'GET', path: odd });
    }

    const byStatus = new Map<number, number>();
    const failures: string[] = [];
    for (const r of all) {
      const status = await send(service.url, r);
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      const oversized = (r.body?.length ?? 0) > 100_000 || r.path.length > 16_000;
      if (status >= 500 || status < 200 || (status >= 300 && status < 400) || (status === 0 && !oversized)) {
        if (!(status === 0 && oversized)) failures.push(`${status} ${r.method} ${r.path.slice(0, 160)}`);
      }
      if (!alive(service.pid))
        throw new Error(`pg-exporter died after ${r.method} ${r.path.slice(0, 200)}:\n${service.output()}`);
    }

    // Malformed whatever happens to the database: each must be a 4xx.
    const malformed = [
      '/probe',
      '/probe?target=',
      '/probe?target=%20',
      '/probe?target=postgresql://host:99999/db',
      '/probe?target=postgres://%25zz@host/db',
      `/probe?target=${real}/postgres&auth_module=missing`,
      `/probe?target=${real}/postgres&target=${closed}/postgres`,
      '//evil:99999/probe',
    ];
    const refused: string[] = [];
    for (const p of malformed) {
      const status = await send(service.url, { method: 'GET', path: p });
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      if (status < 400 || status >= 500) refused.push(`${status} ${p}`);
    }

    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const probe = await fetch(
      `${service.url}/probe?target=${encodeURIComponent(`${real}/postgres`)}&auth_module=monitor`,
    );
    expect(probe.status).toBe(200);
    expect(await probe.text()).toMatch(/^pg_up\{[^}]*\} 1$/m);
    console.log(
      `pg-exporter probe fuzz: ${all.length + malformed.length} requests, answers by status ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`,
    );
    expect(failures).toEqual([]);
    expect(refused).toEqual([]);
  });
});
