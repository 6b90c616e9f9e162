import { waitFor } from '@reelwatch/testkit';
import type { ComposeProject } from '../compose-project';

/** The replica's WAL receiver streams from the primary, and the primary sees it streaming. */
export async function replicaStreams(project: ComposeProject): Promise<string> {
  await waitFor(
    async () =>
      (await project.sql('postgres-replica', 'SELECT status FROM pg_stat_wal_receiver')) === 'streaming',
    {
      timeoutMs: 60_000,
      intervalMs: 1_000,
      what: 'the replica streaming',
    },
  );
  const senders = await project.sql(
    'postgres-primary',
    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
  );
  if (Number(senders) < 1) throw new Error(`the primary has ${senders} streaming WAL senders`);
  return `replica streaming, ${senders} WAL sender(s) on the primary`;
}

const EVENTS_SQL = 'SELECT coalesce(sum(watch_events + rate_events + recommend_events), 0) FROM users';

/** Events written by ingestion reach the primary's tables, and the replica follows. */
export async function eventsFlow(project: ComposeProject): Promise<string> {
  const primary = await waitFor(
    async () => {
      const n = Number(await project.sql('postgres-primary', EVENTS_SQL));
      return n > 0 ? n : false;
    },
    { timeoutMs: 120_000, intervalMs: 2_000, what: 'events counted in PostgreSQL' },
  );
  const onReplica = await waitFor(
    async () => {
      const n = Number(await project.sql('postgres-replica', EVENTS_SQL));
      return n >= primary ? n : false;
    },
    { timeoutMs: 60_000, intervalMs: 1_000, what: 'the replica catching up' },
  );
  return `${primary} events on the primary, ${onReplica} on the replica`;
}

/** Pushgateway holds the training_snapshot group, with a successful last run. */
export async function snapshotPushed(pushgateway: string): Promise<string> {
  const groups = await waitFor(
    async () => {
      const res = await fetch(`${pushgateway}/api/v1/metrics`, { signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { data: { labels: Record<string, string> }[] };
      const g = body.data.filter((d) => d.labels.job === 'training_snapshot');
      return g.length > 0 ? g : false;
    },
    { timeoutMs: 150_000, intervalMs: 3_000, what: 'the training_snapshot group on Pushgateway' },
  );
  return `${groups.length} training_snapshot group(s)`;
}

/** The task monitor refuses a request without credentials and serves one with .env's. */
export async function taskMonitorAuth(base: string, basicAuth: string): Promise<string> {
  const anonymous = await fetch(`${base}/api/workers`, { signal: AbortSignal.timeout(5_000) });
  if (anonymous.status !== 401) throw new Error(`without credentials: ${anonymous.status}, want 401`);
  const authorization = `Basic ${Buffer.from(basicAuth).toString('base64')}`;
  const authed = await fetch(`${base}/api/workers`, {
    headers: { authorization },
    signal: AbortSignal.timeout(5_000),
  });
  if (authed.status !== 200) throw new Error(`with .env's credentials: ${authed.status}, want 200`);
  return '401 without credentials, 200 with them';
}
