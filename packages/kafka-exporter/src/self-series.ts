import type { Sample } from '@reelwatch/pg-exporter';

/** What the exporter's own series need to know after a scrape. */
export interface ScrapeTotals {
  up: boolean;
  collectors: ReadonlyArray<{ name: string; ok: boolean; seconds: number }>;
  /** collector -> scrapes in which it failed, since start */
  failures: ReadonlyMap<string, number>;
  lastDurationSeconds: number;
  scrapes: number;
  lastError: number;
}

export const PACKAGE_VERSION = '0.1.0';

/** Go's names for Node's architectures, so kafka_exporter_build_info reads as upstream's does. */
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };

/**
 * kafka_up (ours: upstream has no such series and answers a down cluster with an almost empty
 * scrape), upstream's kafka_exporter_build_info, and each collector's success, duration and
 * failure count, as pg-exporter reports its collectors.
 */
export function exporterSelfSamples(t: ScrapeTotals): Sample[] {
  const out: Sample[] = [
    {
      name: 'kafka_up',
      help: 'Ours: whether the last scrape could read the Kafka cluster metadata (1 for yes, 0 for no).',
      type: 'gauge',
      labels: {},
      value: t.up ? 1 : 0,
    },
    {
      name: 'kafka_exporter_build_info',
      help: "A metric with a constant '1' value labeled by version, revision, branch, goversion from which kafka_exporter was built, and the goos and goarch for the build.",
      type: 'gauge',
      // goversion carries the Node.js version: this exporter is not built with Go
      labels: {
        version: PACKAGE_VERSION,
        revision: '',
        branch: '',
        goversion: `node${process.versions.node}`,
        goos: process.platform,
        goarch: GOARCH[process.arch] ?? process.arch,
        tags: '',
      },
      value: 1,
    },
  ];
  for (const c of t.collectors) {
    out.push({
      name: 'kafka_exporter_scrape_collector_success',
      help: 'Ours: whether a collector succeeded in the last scrape (1 for yes, 0 for no).',
      type: 'gauge',
      labels: { collector: c.name },
      value: c.ok ? 1 : 0,
    });
    out.push({
      name: 'kafka_exporter_scrape_collector_duration_seconds',
      help: 'Ours: how long a collector took in the last scrape.',
      type: 'gauge',
      labels: { collector: c.name },
      value: c.seconds,
    });
    out.push({
      name: 'kafka_exporter_scrape_collector_failures_total',
      help: 'Ours: scrapes in which a collector failed (wholly or in part) or had not finished by the deadline.',
      type: 'counter',
      labels: { collector: c.name },
      value: t.failures.get(c.name) ?? 0,
    });
  }
  out.push(
    {
      name: 'kafka_exporter_last_scrape_duration_seconds',
      help: 'Ours: duration of the last scrape.',
      type: 'gauge',
      labels: {},
      value: t.lastDurationSeconds,
    },
    {
      name: 'kafka_exporter_scrapes_total',
      help: 'Ours: scrapes since start (concurrent requests share one scrape).',
      type: 'counter',
      labels: {},
      value: t.scrapes,
    },
    {
      name: 'kafka_exporter_last_scrape_error',
      help: 'Ours: whether any collector failed in the last scrape (1 for error, 0 for success).',
      type: 'gauge',
      labels: {},
      value: t.lastError,
    },
  );
  return out;
}
