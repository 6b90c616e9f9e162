import { waitFor } from '@reelwatch/testkit';
import type { ComposeProject } from '../compose-project';
import { topicEndOffsets } from '../topic-offsets';

export interface ScaleOptions {
  topic: string;
  nodeImage: string;
  services: string[];
}

const COUNTED_SQL = `SELECT (SELECT coalesce(sum(watch_events + rate_events + recommend_events), 0) FROM users)
  + (SELECT count(*) FROM dead_letters WHERE topic = $TOPIC)`;
const STORED_SQL = 'SELECT coalesce(sum(last_offset + 1), 0) FROM ingestion_offsets WHERE topic = $TOPIC';

/**
 * Two ingestion members share the group while the producer runs; then, with the producer stopped,
 * once ingestion has caught up, every message in the topic is counted exactly once: events in the
 * aggregates plus dead letters equal the sum of the partitions' high watermarks.
 */
export async function scaledIngestionCountsEverything(
  project: ComposeProject,
  options: ScaleOptions,
): Promise<string> {
  await project.compose([
    'up',
    '-d',
    '--wait',
    '--wait-timeout',
    '300',
    '--scale',
    'ingestion=2',
    ...options.services,
  ]);
  const members = (await project.ps()).filter((c) => c.Service === 'ingestion' && c.State === 'running');
  if (members.length !== 2) throw new Error(`${members.length} ingestion containers running, want 2`);
  // Let the group rebalance onto both members and both write while events keep coming.
  await waitFor(
    async () => {
      const n = await project.sql(
        'postgres-primary',
        'SELECT count(DISTINCT consumer_group) FROM ingestion_offsets',
      );
      return Number(n) >= 1;
    },
    { timeoutMs: 60_000, intervalMs: 2_000, what: 'stored offsets' },
  );
  await new Promise((r) => setTimeout(r, 45_000));
  await project.compose(['stop', 'event-producer']);
  const topic = `'${options.topic.replace(/'/g, "''")}'`;
  const ends = await topicEndOffsets(
    `${project.name}_default`,
    options.nodeImage,
    'kafka:9092',
    options.topic,
  );
  const inTopic = ends.reduce((n, p) => n + p.high, 0);
  let stored = 0;
  await waitFor(
    async () => {
      stored = Number(await project.sql('postgres-primary', STORED_SQL.replace('$TOPIC', topic)));
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
  const counted = Number(await project.sql('postgres-primary', COUNTED_SQL.replace('$TOPIC', topic)));
  if (counted !== inTopic)
    throw new Error(`counted ${counted} events and dead letters, the topic holds ${inTopic} messages`);
  return `2 members; ${inTopic} messages in ${ends.length} partitions, ${counted} counted`;
}
