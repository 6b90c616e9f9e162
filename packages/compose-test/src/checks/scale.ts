import { waitFor } from '@reelwatch/testkit';
import type { ComposeProject } from '../compose-project';
import { instantQuery } from '../prometheus-api';
import { topicEndOffsets } from '../topic-offsets';

/**
 * `--scale ingestion=2`: two members share the consumer group, each reporting lag for its own
 * partitions (so each was assigned some), while the producer keeps writing.
 */
export async function twoIngestionMembers(
  project: ComposeProject,
  services: string[],
  prometheus: string,
): Promise<string> {
  await project.compose([
    'up',
    '-d',
    '--wait',
    '--wait-timeout',
    '300',
    '--scale',
    'ingestion=2',
    ...services,
  ]);
  const members = (await project.ps()).filter((c) => c.Service === 'ingestion' && c.State === 'running');
  if (members.length !== 2) throw new Error(`${members.length} ingestion containers running, want 2`);
  // Prometheus finds both through Docker's DNS; the mock broker's rebalance waits out the
  // session timeout (standins/README.md, kafka), then each member reports its own partitions.
  const partitions = await waitFor(
    async () => {
      const r = await instantQuery(
        prometheus,
        'count by (instance) (reelwatch_ingestion_consumer_lag_messages)',
      );
      return r.length === 2 ? r.map((s) => s.value[1]).join('+') : false;
    },
    { timeoutMs: 150_000, intervalMs: 3_000, what: 'both ingestion members reporting assigned partitions' },
  );
  return `2 members, partitions split ${partitions}`;
}

/** With the producer stopped, ingestion's own lag gauge (through Prometheus) comes back to 0. */
export async function lagReturnsToZero(project: ComposeProject, prometheus: string): Promise<string> {
  await project.compose(['stop', 'event-producer']);
  await waitFor(
    async () => {
      const r = await instantQuery(prometheus, 'sum(reelwatch_ingestion_consumer_lag_messages)');
      return r.length > 0 && Number(r[0]?.value[1]) === 0;
    },
    { timeoutMs: 120_000, intervalMs: 2_000, what: 'reelwatch_ingestion_consumer_lag_messages at 0' },
  );
  return 'sum(reelwatch_ingestion_consumer_lag_messages) = 0 after the producer stopped';
}

const COUNTED_SQL = `SELECT (SELECT coalesce(sum(watch_events + rate_events + recommend_events), 0) FROM users)
  + (SELECT count(*) FROM dead_letters WHERE topic = $TOPIC)`;
const STORED_SQL = 'SELECT coalesce(sum(last_offset + 1), 0) FROM ingestion_offsets WHERE topic = $TOPIC';

/**
 * Every message in the topic counted exactly once: once ingestion's stored offsets reach the
 * partitions' high watermarks (asked of the broker by a separate client), events in the
 * aggregates plus dead letters equal the number of messages.
 */
export async function countedEqualsTopic(
  project: ComposeProject,
  topic: string,
  nodeImage: string,
): Promise<string> {
  const quoted = `'${topic.replace(/'/g, "''")}'`;
  const ends = await topicEndOffsets(`${project.name}_default`, nodeImage, 'kafka:9092', topic);
  const inTopic = ends.reduce((n, p) => n + p.high, 0);
  let stored = 0;
  await waitFor(
    async () => {
      stored = Number(await project.sql('postgres-primary', STORED_SQL.replace('$TOPIC', quoted)));
      return stored === inTopic;
    },
    {
      timeoutMs: 180_000,
      intervalMs: 2_000,
      what: `ingestion's stored offsets reaching the topic's ${inTopic} messages`,
    },
  ).catch((err: Error) => {
    throw new Error(`${err.message} (stored ${stored})`);
  });
  const counted = Number(await project.sql('postgres-primary', COUNTED_SQL.replace('$TOPIC', quoted)));
  if (counted !== inTopic)
    throw new Error(`counted ${counted} events and dead letters, the topic holds ${inTopic} messages`);
  return `${inTopic} messages in ${ends.length} partitions, ${counted} counted`;
}
