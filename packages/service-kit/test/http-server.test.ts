import http from 'node:http';
import { Writable } from 'node:stream';
import { Counter } from 'prom-client';
import {
  createLogger,
  createMetricsRegistry,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  Readiness,
  type RunningHttpServer,
  startHttpServer,
} from '../src';

const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
const logger = createLogger({ service: 'http-test', level: 'silent', destination: silent });

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<Parameters<typeof startHttpServer>[0]> = {}) {
  const registry = options.registry ?? createMetricsRegistry({ service: 'http-test' });
  const server = await startHttpServer({
    service: 'http-test',
    host: '127.0.0.1',
    port: 0,
    registry,
    logger,
    ...options,
  });
  servers.push(server);
  return server;
}

describe('startHttpServer', () => {
  test('a client error raised by a body parser is answered with its 4xx status, a failure of ours with 500', async () => {
    const express = require('express') as typeof import('express');
    const server = await start({
      configure(app) {
        app.post('/echo', express.json({ limit: '1kb' }), (req, res) => {
          res.json(req.body);
        });
        app.get('/boom', () => {
          throw new Error('ours');
        });
      },
    });
    const post = (body: string) =>
      fetch(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post('{"a":')).status).toBe(400);
    expect((await post(JSON.stringify({ a: 'x'.repeat(5_000) }))).status).toBe(413);
    expect(await (await post('{"a":1}')).json()).toEqual({ a: 1 });
    const boom = await fetch(`${server.url}/boom`);
    expect([boom.status, await boom.json()]).toEqual([500, { error: 'internal error' }]);
  });

  test('binds the given host on a free port when port is 0 and reports the real port', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('fails to start when the port is taken', async () => {
    const first = await start();
    await expect(start({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
  });

  test('serves Prometheus text 0.0.4 on /metrics by default', async () => {
    const registry = createMetricsRegistry({ service: 'http-test' });
    new Counter({ name: 'http_test_events_total', help: 'events', registers: [registry] }).inc(2);
    const server = await start({ registry });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    const body = await response.text();
    expect(body).toContain(
      '# TYPE http_test_events_total counter\nhttp_test_events_total{service="http-test"} 2\n',
    );
    expect(body).toContain('nodejs_heap_size_used_bytes{service="http-test"}');
    expect(body).not.toContain('# EOF');
  });

  test('serves OpenMetrics when the Accept header asks for it, as Prometheus does', async () => {
    const registry = createMetricsRegistry({ service: 'http-test' });
    new Counter({ name: 'http_test_events_total', help: 'events', registers: [registry] }).inc(2);
    const server = await start({ registry, metricsPath: '/prom' });
    const response = await fetch(`${server.url}/prom`, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(OPENMETRICS_CONTENT_TYPE);
    const body = await response.text();
    expect(body).toContain(
      '# TYPE http_test_events counter\nhttp_test_events_total{service="http-test"} 2\n',
    );
    expect(body.endsWith('# EOF\n')).toBe(true);

    const text = await (await fetch(`${server.url}/prom`)).text();
    expect(text).toContain('# TYPE http_test_events_total counter\n');
  });

  test('asks for basic auth on /metrics only and compares credentials', async () => {
    const server = await start({ metricsAuth: { username: 'prometheus', password: 'scrape-me' } });
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

    const anonymous = await fetch(`${server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      'Basic realm="http-test metrics", charset="UTF-8"',
    );
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: basic('prometheus', 'wrong') } }))
        .status,
    ).toBe(401);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: basic('other', 'scrape-me') } }))
        .status,
    ).toBe(401);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).status,
    ).toBe(401);

    const allowed = await fetch(`${server.url}/metrics`, {
      headers: { authorization: basic('prometheus', 'scrape-me') },
    });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('process_cpu_seconds_total');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  test('/readyz answers 503 naming the failing check and its error, then 200 once it recovers', async () => {
    const readiness = new Readiness();
    let databaseUp = false;
    readiness.add('kafka', () => undefined);
    readiness.add('database', async () => {
      if (!databaseUp) throw new Error('connect ECONNREFUSED postgres://reel:hunter2@127.0.0.1:1/reelwatch');
    });
    const server = await start({ readiness });

    const down = await fetch(`${server.url}/readyz`);
    expect(down.status).toBe(503);
    const downBody = await down.json();
    expect(downBody).toEqual({
      status: 'not ready',
      failing: ['database'],
      checks: [
        { name: 'kafka', ok: true },
        {
          name: 'database',
          ok: false,
          error: 'connect ECONNREFUSED postgres://reel:****@127.0.0.1:1/reelwatch',
        },
      ],
    });

    databaseUp = true;
    const up = await fetch(`${server.url}/readyz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({
      status: 'ready',
      failing: [],
      checks: [
        { name: 'kafka', ok: true },
        { name: 'database', ok: true },
      ],
    });
  });

  test('a readiness check that hangs times out and is reported as failing', async () => {
    const readiness = new Readiness({ timeoutMs: 100 });
    readiness.add('stuck', () => new Promise<void>(() => undefined));
    const server = await start({ readiness });
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      failing: ['stuck'],
      checks: [{ name: 'stuck', error: 'timed out after 100 ms' }],
    });
  });

  test("serves the service's own routes added through configure", async () => {
    const server = await start({
      configure: (app) => {
        app.get('/api/workers', (_req, res) => {
          res.json({ workers: 2 });
        });
      },
    });
    expect(await (await fetch(`${server.url}/api/workers`)).json()).toEqual({ workers: 2 });
  });

  test('close() also closes idle keep-alive connections instead of waiting for them', async () => {
    const server = await startHttpServer({
      service: 'http-test',
      host: '127.0.0.1',
      port: 0,
      registry: createMetricsRegistry({ service: 'http-test', defaultMetrics: false }),
      logger,
      closeGraceMs: 30_000,
    });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        http
          .get(`${server.url}/healthz`, { agent }, (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode));
          })
          .on('error', reject);
      });
      expect(status).toBe(200);
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
      const started = Date.now();
      await server.close();
      expect(Date.now() - started).toBeLessThan(5000);
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });
});
