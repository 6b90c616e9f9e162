import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHttpDaemon } from './http-daemon';
import { waitFor } from './wait';

export interface PrometheusServer {
  url: string;
  port: number;
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  queryRange(
    expr: string,
    startSec: number,
    endSec: number,
    stepSec: number,
  ): Promise<Array<{ metric: Record<string, string>; values: [number, string][] }>>;
  /** Waits until every target (or every target of `job`) has health "up"; default 30 s. */
  waitForTargets(options?: { timeoutMs?: number; job?: string }): Promise<void>;
  destroy(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** prometheus.yml text; relative paths in it (rule_files) resolve beside it, where `files` go. */
  config: string;
  /** Extra files written beside prometheus.yml, e.g. { 'rules/alerts.yml': '...' }. */
  files?: Record<string, string>;
  /** Sets global scrape_interval and evaluation_interval (tests use 1 s). */
  scrapeIntervalSec?: number;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

/** A Prometheus HTTP API error: the query was rejected or the server answered badly. */
export class PrometheusQueryError extends Error {
  readonly code = 'PROMETHEUS_QUERY_FAILED';
  readonly retryable = false;
}

/**
 * Sets `scrape_interval` and `evaluation_interval` under `global:` in prometheus.yml text, adding
 * the block or the keys when missing. Job-level intervals still win, as in Prometheus itself.
 */
export function withGlobalIntervals(config: string, seconds: number): string {
  const value = `${seconds}s`;
  const lines = config.split('\n');
  const globalIndex = lines.findIndex((line) => /^global:\s*(#.*)?$/.test(line));
  if (globalIndex === -1) {
    const inline = lines.findIndex((line) => /^global:\s*\{\s*\}\s*$/.test(line));
    const block = ['global:', `  scrape_interval: ${value}`, `  evaluation_interval: ${value}`];
    if (inline !== -1) {
      lines.splice(inline, 1, ...block);
      return lines.join('\n');
    }
    return [...block, ...lines].join('\n');
  }
  let end = globalIndex + 1;
  while (end < lines.length && (/^\s+\S/.test(lines[end]!) || lines[end]!.trim() === '')) end++;
  const indent =
    /^(\s+)\S/.exec(lines.slice(globalIndex + 1, end).find((line) => line.trim() !== '') ?? '')?.[1] ?? '  ';
  for (const key of ['evaluation_interval', 'scrape_interval']) {
    const at = lines.slice(globalIndex + 1, end).findIndex((line) => new RegExp(`^\\s+${key}:`).test(line));
    if (at === -1) {
      lines.splice(globalIndex + 1, 0, `${indent}${key}: ${value}`);
      end++;
    } else {
      lines[globalIndex + 1 + at] = `${indent}${key}: ${value}`;
    }
  }
  return lines.join('\n');
}

async function apiGet<T>(baseUrl: string, apiPath: string, params: Record<string, string>): Promise<T> {
  const url = `${baseUrl}${apiPath}?${new URLSearchParams(params).toString()}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new PrometheusQueryError(`GET ${url} failed: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  let body: ApiResponse<T>;
  try {
    body = JSON.parse(text) as ApiResponse<T>;
  } catch {
    throw new PrometheusQueryError(`GET ${url}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (body.status !== 'success' || body.data === undefined) {
    throw new PrometheusQueryError(
      `GET ${url}: HTTP ${response.status} ${body.errorType ?? 'error'}: ${body.error ?? text.slice(0, 300)}`,
    );
  }
  return body.data;
}

interface Target {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

/**
 * Starts Prometheus (Debian package `prometheus`) on a free 127.0.0.1 port with `config` written
 * to a temp dir, TSDB in the same dir, lifecycle API on. Resolves once /-/ready answers 200.
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const config =
    options.scrapeIntervalSec === undefined
      ? options.config
      : withGlobalIntervals(options.config, options.scrapeIntervalSec);
  const daemon = await startHttpDaemon({
    name: 'prometheus',
    binary: 'prometheus',
    debianPackage: 'prometheus',
    prepare(dir) {
      writeFileSync(path.join(dir, 'prometheus.yml'), config);
      for (const [name, text] of Object.entries(options.files ?? {})) {
        const file = path.resolve(dir, name);
        if (!file.startsWith(`${dir}${path.sep}`))
          throw new Error(`startPrometheus: file ${name} escapes its dir`);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
    },
    args: (port, dir) => [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
  });
  const { url } = daemon;
  return {
    url,
    port: daemon.port,
    async query(expr) {
      const data = await apiGet<{ resultType: string; result: unknown }>(url, '/api/v1/query', {
        query: expr,
      });
      if (data.resultType === 'vector') {
        return data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
      }
      if (data.resultType === 'scalar' || data.resultType === 'string') {
        return [{ metric: {}, value: data.result as [number, string] }];
      }
      throw new PrometheusQueryError(`query ${expr}: unexpected result type ${data.resultType}`);
    },
    async queryRange(expr, startSec, endSec, stepSec) {
      const data = await apiGet<{ resultType: string; result: unknown }>(url, '/api/v1/query_range', {
        query: expr,
        start: String(startSec),
        end: String(endSec),
        step: String(stepSec),
      });
      if (data.resultType !== 'matrix') {
        throw new PrometheusQueryError(`query_range ${expr}: unexpected result type ${data.resultType}`);
      }
      return data.result as Array<{ metric: Record<string, string>; values: [number, string][] }>;
    },
    async waitForTargets(waitOptions = {}) {
      const job = waitOptions.job;
      let last: Target[] = [];
      await waitFor(
        async () => {
          const data = await apiGet<{ activeTargets: Target[] }>(url, '/api/v1/targets', { state: 'active' });
          last = data.activeTargets.filter((target) => job === undefined || target.labels.job === job);
          return last.length > 0 && last.every((target) => target.health === 'up');
        },
        {
          timeoutMs: waitOptions.timeoutMs ?? 30_000,
          intervalMs: 200,
          what: `${job === undefined ? 'every target' : `job ${job}'s targets`} to be up`,
        },
      ).catch((error: unknown) => {
        const states = last.length
          ? last.map((t) => `${t.scrapeUrl}: ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`).join('; ')
          : 'no such targets';
        throw new Error(`${(error as Error).message}; targets: ${states}`, { cause: error });
      });
    },
    destroy: daemon.destroy,
  };
}
