import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type pino from 'pino';
import type { Registry } from 'prom-client';
import { negotiateFormat, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, renderMetrics } from './metrics';
import type { Readiness } from './readiness';

export interface HttpServerOptions {
  service: string;
  host: string;
  /** 0 = any free port; the real one is in RunningHttpServer.port. */
  port: number;
  registry: Registry;
  logger: pino.Logger;
  readiness?: Readiness;
  /** Default /metrics. */
  metricsPath?: string;
  /** Basic auth on the metrics path only (/healthz and /readyz stay open for probes). */
  metricsAuth?: { username: string; password: string };
  /** Add the service's own routes (called after the built-in ones are mounted). */
  configure?: (app: express.Express) => void;
  /** How long close() lets in-flight requests finish before cutting their sockets; default 2000 ms. */
  closeGraceMs?: number;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** express with GET <metricsPath> (text 0.0.4, or OpenMetrics by Accept), /healthz and /readyz. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const logger = options.logger.child({ unit: 'http-server' });
  const metricsPath = options.metricsPath ?? '/metrics';
  const app = express();
  app.disable('x-powered-by');

  const checkAuth = options.metricsAuth ? basicAuthCheck(options.metricsAuth) : undefined;
  app.get(metricsPath, async (req, res) => {
    if (checkAuth && !checkAuth(req.headers.authorization)) {
      res
        .status(401)
        .set('WWW-Authenticate', `Basic realm="${options.service} metrics", charset="UTF-8"`)
        .type('text/plain')
        .send('unauthorized\n');
      return;
    }
    const format = negotiateFormat(req.headers.accept);
    try {
      const body = await renderMetrics(options.registry, format);
      res
        .status(200)
        .set('Content-Type', format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE)
        .send(body);
    } catch (err) {
      logger.error({ err }, 'rendering metrics failed');
      res
        .status(500)
        .type('text/plain')
        .send(`rendering metrics failed: ${(err as Error).message}\n`);
    }
  });

  app.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const report = options.readiness ? await options.readiness.evaluate() : { ready: true, checks: [] };
    const failing = report.checks.filter((c) => !c.ok);
    res.status(report.ready ? 200 : 503).json({
      status: report.ready ? 'ready' : 'not ready',
      failing: failing.map((c) => c.name),
      checks: report.checks,
    });
  });

  options.configure?.(app);

  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    // A client's mistake caught by a parser (body-parser: bad JSON 400, too large 413, bad charset
    // 415) carries its 4xx status and an exposable message: answer it, do not call it ours.
    const status = (err as { status?: unknown; expose?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      logger.warn({ err: (err as Error).message, method: req.method, path: req.path, status }, 'bad request');
      if (!res.headersSent)
        res
          .status(status)
          .json({ error: (err as { expose?: boolean }).expose ? (err as Error).message : 'bad request' });
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal error' });
  });

  const server = await listen(app, options.host, options.port);
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, metricsPath }, 'http server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const grace = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 2000);
        server.close((err) => {
          clearTimeout(grace);
          if (err) reject(err);
          else resolve();
        });
        // Idle keep-alive sockets would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function listen(app: express.Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(server);
    });
    server.listen(port, host);
  });
}

/** Constant-time comparison of both user and password (digests make the lengths equal). */
function basicAuthCheck(expected: { username: string; password: string }) {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const user = digest(expected.username);
  const password = digest(expected.password);
  return (header: string | undefined): boolean => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), user);
    const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), password);
    return userOk && passwordOk;
  };
}
