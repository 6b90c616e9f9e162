import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, type PostgresCluster, startPostgres, startService } from '@reelwatch/testkit';
import bcrypt from 'bcryptjs';
import type { RunningPgExporter } from '../../src/app';
import { Scrape, scrape, scrapeParsed, startTestExporter } from '../helpers';

const dist = path.resolve(__dirname, '../../dist/main.js');

describe('HTTP: /probe, basic auth, TLS and the built binary', () => {
  let cluster: PostgresCluster;
  let dir: string;
  const running: RunningPgExporter[] = [];

  beforeAll(async () => {
    cluster = await startPostgres({ replica: false });
    dir = mkdtempSync(path.join(tmpdir(), 'pgx-http-'));
    await cluster.primary.query('CREATE ROLE probe_monitor LOGIN');
    await cluster.primary.query('GRANT pg_monitor TO probe_monitor');
  });

  afterAll(async () => {
    await Promise.all(running.map((r) => r.close()));
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('/probe scrapes the target with the auth module’s user and options, and rejects unknown modules', async () => {
    const config = path.join(dir, 'postgres_exporter.yml');
    writeFileSync(
      config,
      `auth_modules:
  monitor:
    type: userpass
    userpass: { username: probe_monitor, password: unused-with-trust }
    options: { sslmode: disable }
  nobody:
    type: userpass
    userpass: { username: no_such_role, password: x }
`,
    );
    const app = await startTestExporter({ PG_EXPORTER_CONFIG_FILE: config });
    running.push(app);
    const target = `127.0.0.1:${cluster.primary.port}/postgres`;
    const ok = await scrapeParsed(
      `${app.server.url}/probe?target=${encodeURIComponent(target)}&auth_module=monitor`,
    );
    expect(ok.value('pg_up', { server: target })).toBe(1);
    expect(ok.series('pg_stat_database_xact_commit', { server: target, datname: 'postgres' })).toHaveLength(
      1,
    );
    const denied = await scrapeParsed(
      `${app.server.url}/probe?target=${encodeURIComponent(target)}&auth_module=nobody`,
    );
    expect(denied.value('pg_up', { server: target })).toBe(0);
    expect((await scrape(`${app.server.url}/probe?target=${target}&auth_module=missing`)).status).toBe(400);
    expect((await scrape(`${app.server.url}/probe`)).status).toBe(400);
    // /metrics without a data source still answers, with no servers
    expect((await scrape(`${app.server.url}/metrics`)).status).toBe(200);
  });

  it('requires basic auth and serves TLS from the web config file', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const web = path.join(dir, 'web.yml');
    writeFileSync(
      web,
      `tls_server_config:
  cert_file: cert.pem
  key_file: key.pem
basic_auth_users:
  prometheus: ${bcrypt.hashSync('s3cret', 4)}
`,
    );
    const app = await startTestExporter({
      DATA_SOURCE_NAME: cluster.primary.url('postgres'),
      PG_EXPORTER_WEB_CONFIG_FILE: web,
    });
    running.push(app);
    expect(app.server.url.startsWith('https://')).toBe(true);
    const get = (auth?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = https.get(
          `${app.server.url}/metrics`,
          {
            rejectUnauthorized: false,
            headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {},
          },
          (res) => {
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
      });
    expect((await get()).status).toBe(401);
    expect((await get('prometheus:wrong')).status).toBe(401);
    const ok = await get('prometheus:s3cret');
    expect(ok.status).toBe(200);
    expect(new Scrape(ok.body).series('pg_up').map((s) => s.value)).toEqual([1]);
  });

  it('answers /healthz, a landing page, 404 and 405 without touching a database', async () => {
    const app = await startTestExporter({});
    running.push(app);
    expect((await scrape(`${app.server.url}/healthz`)).status).toBe(200);
    expect((await scrape(`${app.server.url}/`)).text).toContain('href="/metrics"');
    expect((await scrape(`${app.server.url}/nope`)).status).toBe(404);
    expect((await scrape(`${app.server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('keeps running with a broken queries.yaml and reports it in pg_exporter_user_queries_load_error', async () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'pg_broken:\n  query: "SELECT 1"\n  metrics:\n    - x: { usage: "SOMETIMES" }\n');
    const app = await startTestExporter({
      DATA_SOURCE_NAME: cluster.primary.url('postgres'),
      PG_EXPORTER_EXTEND_QUERY_PATH: file,
    });
    running.push(app);
    const s = await scrapeParsed(`${app.server.url}/metrics`);
    expect(s.series('pg_exporter_user_queries_load_error').map((x) => [x.labels.filename, x.value])).toEqual([
      [file, 1],
    ]);
    expect(s.series('pg_up').map((x) => x.value)).toEqual([1]);
  });

  it('exits with code 78 and one message for a bad flag, variable or web config file', () => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
    const run = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, [dist, ...args], {
        env: { PATH: process.env.PATH ?? '', PG_EXPORTER_WEB_LISTEN_ADDRESS: '127.0.0.1:0', ...env },
        encoding: 'utf8',
        timeout: 20_000,
        cwd: dir,
      });
    const flag = run(['--collector.nope'], {});
    expect([flag.status, flag.stderr]).toEqual([
      78,
      expect.stringContaining('unknown flag --collector.nope'),
    ]);
    const variable = run([], { PG_EXPORTER_COLLECTOR_NOPE: 'true', PG_EXPORTER_MAX_CONNECTIONS: 'many' });
    expect(variable.status).toBe(78);
    expect(variable.stderr).toContain('PG_EXPORTER_COLLECTOR_NOPE');
    expect(variable.stderr).toContain('PG_EXPORTER_MAX_CONNECTIONS');
    const web = run([], { PG_EXPORTER_WEB_CONFIG_FILE: path.join(dir, 'missing-web.yml') });
    expect([web.status, web.stderr]).toEqual([78, expect.stringContaining('cannot read web config')]);
  });

  it('runs as a process from dist with the environment upstream users set', async () => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
    const port = await freePort();
    const service = await startService({
      entry: dist,
      port,
      env: {
        DATA_SOURCE_NAME: cluster.primary.url('postgres'),
        PG_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}`,
        PG_EXPORTER_CONSTANT_LABELS: 'env=test',
        PG_EXPORTER_COLLECTOR_SETTINGS: 'false',
      },
      healthPath: '/healthz',
    });
    try {
      const s = await scrapeParsed(`${service.url}/metrics`);
      expect(s.series('pg_up', { env: 'test' }).map((x) => x.value)).toEqual([1]);
      expect([...s.families.keys()].some((n) => n.startsWith('pg_settings_'))).toBe(false);
      expect(s.series('process_cpu_seconds_total').length).toBeGreaterThan(0);
    } finally {
      expect(await service.stop('SIGTERM')).toBe(0);
    }
  });
});
