import type { ExpositionWriter, Sample } from './exposition';
import type { UserQueryFile } from './user-queries';

/** What the per-server series need to know of one server's scrape. */
export interface ServerScrape {
  label: string;
  up: boolean;
  info: { version: number; versionString: string } | undefined;
  collectors: ReadonlyArray<{ name: string; ok: boolean; seconds: number }>;
}

/** The exporter's own counters, as they stand after a scrape. */
export interface ExporterTotals {
  lastDurationSeconds: number;
  scrapes: number;
  lastError: number;
  duplicatesDropped: number;
}

/** pg_up, pg_static and each collector's duration and success, labelled with the server. */
export function writeServerSeries(writer: ExpositionWriter, scrape: ServerScrape): void {
  const server = { server: scrape.label };
  writer.add(
    {
      name: 'pg_up',
      help: 'Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).',
      type: 'gauge',
      labels: {},
      value: scrape.up ? 1 : 0,
    },
    server,
  );
  if (scrape.info)
    writer.add(
      {
        name: 'pg_static',
        help: 'Version string as reported by postgres',
        type: 'untyped',
        labels: { version: scrape.info.versionString, short_version: shortVersion(scrape.info.version) },
        value: 1,
      },
      server,
    );
  for (const r of scrape.collectors) {
    writer.add(
      {
        name: 'pg_scrape_collector_duration_seconds',
        help: 'postgres_exporter: Duration of a collector scrape.',
        type: 'gauge',
        labels: { collector: r.name },
        value: r.seconds,
      },
      server,
    );
    writer.add(
      {
        name: 'pg_scrape_collector_success',
        help: 'postgres_exporter: Whether a collector succeeded.',
        type: 'gauge',
        labels: { collector: r.name },
        value: r.ok ? 1 : 0,
      },
      server,
    );
  }
}

export function userQueriesLoadErrorSample(uq: UserQueryFile): Sample {
  return {
    name: 'pg_exporter_user_queries_load_error',
    help: 'Whether the user queries file was loaded and parsed successfully (1 for error, 0 for success).',
    type: 'gauge',
    labels: { filename: uq.path, hashsum: uq.hashsum },
    value: uq.error ? 1 : 0,
  };
}

export function exporterSelfSamples(totals: ExporterTotals): Sample[] {
  return [
    {
      name: 'pg_exporter_last_scrape_duration_seconds',
      help: 'Duration of the last scrape of metrics from PostgreSQL.',
      type: 'gauge',
      labels: {},
      value: totals.lastDurationSeconds,
    },
    {
      name: 'pg_exporter_scrapes_total',
      help: 'Total number of times PostgreSQL was scraped for metrics.',
      type: 'counter',
      labels: {},
      value: totals.scrapes,
    },
    {
      name: 'pg_exporter_last_scrape_error',
      help: 'Whether the last scrape of metrics from PostgreSQL resulted in an error (1 for error, 0 for success).',
      type: 'gauge',
      labels: {},
      value: totals.lastError,
    },
    {
      name: 'pg_exporter_duplicate_series_dropped_total',
      help: 'Series dropped because an earlier series of the same scrape had the same name and labels (or the family another type).',
      type: 'counter',
      labels: {},
      value: totals.duplicatesDropped,
    },
  ];
}

/** 150004 -> "15.4.0", 90624 -> "9.6.24", like upstream's semver short_version. */
export function shortVersion(versionNum: number): string {
  const major = Math.floor(versionNum / 10000);
  if (major >= 10) return `${major}.${versionNum % 10000}.0`;
  return `${major}.${Math.floor(versionNum / 100) % 100}.${versionNum % 100}`;
}
