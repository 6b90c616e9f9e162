import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestUrl } from '@reelwatch/pg-exporter';
import { PROMETHEUS_CONTENT_TYPE } from '@reelwatch/service-kit';
import type { Logger } from 'pino';
import type { Exporter } from './exporter';

export interface ExporterHttpOptions {
  host: string | undefined;
  port: number;
  telemetryPath: string;
  exporter: Exporter;
  /** the process's own metrics (service-kit registry), appended to the exposition */
  extraMetrics?: () => Promise<string>;
  logger: Logger;
}

export interface RunningExporterServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * /healthz, the telemetry path and a landing page, as upstream serves them. The telemetry path
 * answers 200 whatever Kafka's state: a down cluster is `kafka_up 0`, not an HTTP error.
 */
export async function startExporterServer(options: ExporterHttpOptions): Promise<RunningExporterServer> {
  const server = http.createServer((req, res) => {
    handle(options, req, res).catch((err) => {
      options.logger.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  options: ExporterHttpOptions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
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
  if (url.pathname === options.telemetryPath) {
    let body = await options.exporter.render();
    if (options.extraMetrics) body += await options.extraMetrics();
    res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }).end(body);
    return;
  }
  if (url.pathname === '/') {
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end(
        `<html><head><title>Reelwatch kafka-exporter</title></head><body><h1>Reelwatch kafka-exporter</h1><p><a href="${options.telemetryPath}">Metrics</a></p></body></html>\n`,
      );
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found\n');
}
