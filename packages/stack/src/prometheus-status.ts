import { getJson } from './probes';

export interface TargetStatus {
  job: string;
  instance: string;
  health: string;
  lastError: string;
}

export interface AlertStatus {
  name: string;
  severity: string;
  state: string;
  activeAt: string;
}

export interface PrometheusSummary {
  url: string;
  reachable: boolean;
  error?: string;
  targets: TargetStatus[];
  alerts: AlertStatus[];
  /** sum(reelwatch_ingestion_consumer_lag_messages); null = no such series (ingestion not scraped yet). */
  consumerLag: number | null;
  /** Seconds since ingestion's last batch; null = no batch recorded yet. */
  lastBatchAgeSeconds: number | null;
}

interface ApiResponse<T> {
  status: string;
  data: T;
}

interface TargetsData {
  activeTargets: { labels: Record<string, string>; scrapePool: string; health: string; lastError: string }[];
}

interface AlertsData {
  alerts: { labels: Record<string, string>; state: string; activeAt: string }[];
}

interface VectorData {
  result: { metric: Record<string, string>; value: [number, string] }[];
}

export const CONSUMER_LAG_QUERY = 'sum(reelwatch_ingestion_consumer_lag_messages)';
export const LAST_BATCH_AGE_QUERY = 'time() - max(reelwatch_ingestion_last_batch_timestamp_seconds)';

async function scalar(base: string, expr: string): Promise<number | null> {
  const body = await getJson<ApiResponse<VectorData>>(
    `${base}/api/v1/query?query=${encodeURIComponent(expr)}`,
  );
  const value = body.data.result[0]?.value[1];
  return value === undefined ? null : Number(value);
}

export function parseTargets(body: ApiResponse<TargetsData>): TargetStatus[] {
  return body.data.activeTargets
    .map((t) => ({
      job: t.labels.job ?? t.scrapePool,
      instance: t.labels.instance ?? '',
      health: t.health,
      lastError: t.lastError,
    }))
    .sort((a, b) => a.job.localeCompare(b.job) || a.instance.localeCompare(b.instance));
}

export function parseAlerts(body: ApiResponse<AlertsData>): AlertStatus[] {
  return body.data.alerts
    .map((a) => ({
      name: a.labels.alertname ?? '?',
      severity: a.labels.severity ?? 'none',
      state: a.state,
      activeAt: a.activeAt,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What `status` shows from Prometheus: targets, alerts, consumer lag, age of the last batch. */
export async function prometheusSummary(base: string): Promise<PrometheusSummary> {
  const summary: PrometheusSummary = {
    url: base,
    reachable: false,
    targets: [],
    alerts: [],
    consumerLag: null,
    lastBatchAgeSeconds: null,
  };
  try {
    summary.targets = parseTargets(
      await getJson<ApiResponse<TargetsData>>(`${base}/api/v1/targets?state=active`),
    );
    summary.alerts = parseAlerts(await getJson<ApiResponse<AlertsData>>(`${base}/api/v1/alerts`));
    summary.consumerLag = await scalar(base, CONSUMER_LAG_QUERY);
    summary.lastBatchAgeSeconds = await scalar(base, LAST_BATCH_AGE_QUERY);
    summary.reachable = true;
  } catch (error) {
    summary.error = (error as Error).message;
  }
  return summary;
}

/** Problems that make `status` exit non-zero: Prometheus unreachable, a target down, a critical alert firing. */
export function prometheusProblems(summary: PrometheusSummary): string[] {
  if (!summary.reachable)
    return [`Prometheus at ${summary.url} not reachable: ${summary.error ?? 'unknown error'}`];
  const problems: string[] = [];
  for (const t of summary.targets)
    if (t.health !== 'up')
      problems.push(`target ${t.job} ${t.instance} is ${t.health}${t.lastError ? `: ${t.lastError}` : ''}`);
  for (const a of summary.alerts)
    if (a.state === 'firing' && a.severity === 'critical') problems.push(`critical alert firing: ${a.name}`);
  return problems;
}
