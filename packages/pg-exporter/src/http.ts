import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import type { Logger } from 'pino';
import { type AuthModule, probeDataSource } from './auth-modules';
import type { Exporter } from './exporter';
import type { BasicAuth, WebConfig } from './web-config';

export interface ExporterHttpOptions {
  host: string | undefined;
  port: number;
  telemetryPath: string;
  exporter: Exporter;
  /** builds a one-off exporter for /probe */
  probe: (source: ReturnType<typeof probeDataSource>) => Exporter;
  authModules: Map<string, AuthModule>;
  auth: BasicAuth;
  tls?: WebConfig['tls'];
  /** the process's own metrics (service-kit registry), appended to the exposition */
  extraMetrics?: () => Promise<string>;
  logger: Logger;
}

export interface RunningExporterServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export async function startExporterServer(options: ExporterHttpOptions): Promise<RunningExporterServer> {
  const handler = requestHandler(options);
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(req, res).catch((err) => {
      options.logger.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error\n');
    });
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca }, listener)
    : http.createServer(listener);
  await listen(server, options.port, options.host);
  const address = server.address() as AddressInfo;
  return {
    url: serverUrl(options, address.port),
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** /healthz, the telemetry path, /probe and the landing page; the last two behind basic auth. */
function requestHandler(options: ExporterHttpOptions): Handler {
  return async (req, res) => {
    const url = requestUrl(req.url);
    if (!url) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('malformed request target\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return;
    }
    const guarded = url.pathname === options.telemetryPath || url.pathname === '/probe';
    if (guarded && !(await options.auth.check(req.headers.authorization))) {
      res
        .writeHead(401, { 'WWW-Authenticate': 'Basic realm="pg-exporter"', 'Content-Type': 'text/plain' })
        .end('Unauthorized\n');
      return;
    }
    if (url.pathname === options.telemetryPath) {
      const body = await metricsText(options, options.exporter);
      res.writeHead(200, { 'Content-Type': CONTENT_TYPE }).end(body);
      return;
    }
    if (url.pathname === '/probe') {
      await serveProbe(options, url.searchParams, res);
      return;
    }
    if (url.pathname === '/') {
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(
          `<html><head><title>Reelwatch pg-exporter</title></head><body><h1>Reelwatch pg-exporter</h1><p><a href="${options.telemetryPath}">Metrics</a></p></body></html>\n`,
        );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found\n');
  };
}

/**
 * The request target as a URL, or undefined when it is not an origin-form path. Parsed as a path
 * on a fixed origin: `new URL(target, base)` would read `//host:99999/probe` as a network-path
 * reference (another host, an invalid port) and throw.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  if (!target?.startsWith('/')) return undefined;
  try {
    return new URL(`http://localhost${target}`);
  } catch {
    return undefined;
  }
}

async function metricsText(options: ExporterHttpOptions, exporter: Exporter): Promise<string> {
  let text = await exporter.render();
  if (options.extraMetrics) text += await options.extraMetrics();
  return text;
}

/** /probe?target=…[&auth_module=…]: a one-off exporter for that server, closed after it renders. */
async function serveProbe(
  options: ExporterHttpOptions,
  params: URLSearchParams,
  res: http.ServerResponse,
): Promise<void> {
  for (const name of ['target', 'auth_module']) {
    if (params.getAll(name).length > 1) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`${name} must be given once\n`);
      return;
    }
  }
  const target = params.get('target') ?? '';
  // a blank target would become the default data source (localhost:5432), not the one asked for
  if (target.trim() === '') {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('target is required\n');
    return;
  }
  const moduleName = params.get('auth_module') ?? '';
  let module: AuthModule | undefined;
  if (moduleName !== '') {
    module = options.authModules.get(moduleName);
    if (!module) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`auth_module ${moduleName} not found\n`);
      return;
    }
  }
  let source: ReturnType<typeof probeDataSource>;
  try {
    source = probeDataSource(target, module);
  } catch (err) {
    res
      .writeHead(400, { 'Content-Type': 'text/plain' })
      .end(`could not configure dsn for target: ${(err as Error).message}\n`);
    return;
  }
  const probe = options.probe(source);
  try {
    const body = await probe.render();
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE }).end(body);
  } finally {
    await probe.close();
  }
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A URL a client on this machine can reach: a wildcard listen address becomes the loopback. */
function serverUrl(options: ExporterHttpOptions, port: number): string {
  const hostForUrl =
    options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  return `${options.tls ? 'https' : 'http'}://${hostForUrl.includes(':') ? `[${hostForUrl}]` : hostForUrl}:${port}`;
}
