import type { Sample } from '@reelwatch/pg-exporter';
import { type Collector, gauge } from '../collector';

const HELP = {
  current: 'Current Offset of a ConsumerGroup at Topic/Partition',
  currentSum: 'Current Offset of a ConsumerGroup at Topic for all partitions',
  lag: 'Current Approximate Lag of a ConsumerGroup at Topic/Partition',
  lagSum: 'Current Approximate Lag of a ConsumerGroup at Topic for all partitions',
  members: 'Amount of members in a consumer group',
};

export const consumergroupsCollector: Collector = {
  name: 'consumergroups',
  source: 'kafka',
  defaultEnabled: true,
  description:
    "every consumer group's committed offsets, lag and members, on every topic it has committed offsets for",
  metrics: [
    'kafka_consumergroup_current_offset',
    'kafka_consumergroup_current_offset_sum',
    'kafka_consumergroup_lag',
    'kafka_consumergroup_lag_sum',
    'kafka_consumergroup_members',
  ],
  async collect(ctx) {
    const [groups, topics, marks, described] = await Promise.all([
      ctx.groups(),
      ctx.topics(),
      ctx.watermarks(),
      ctx.describeGroups(),
    ]);
    const out: Sample[] = [];
    for (const group of groups) {
      const description = described?.get(group);
      if (description)
        out.push(
          gauge('kafka_consumergroup_members', HELP.members, { consumergroup: group }, description.members),
        );
      // without DescribeGroups the assignment is unknown: every topic, as with --offset.show-all
      const onlyAssigned = !ctx.offsetShowAll && description !== undefined;
      let committed: Awaited<ReturnType<typeof ctx.committed>>;
      try {
        committed = await ctx.committed(group);
      } catch (err) {
        ctx.partialFailure(err, { consumergroup: group });
        continue;
      }
      for (const t of topics) {
        const partitions = committed.get(t.topic);
        if (!partitions) continue;
        const assigned = description?.assigned.get(t.topic);
        if (onlyAssigned && !assigned) continue;
        // a topic the group never committed on is not the group's (Kafka answers -1 everywhere)
        if (![...partitions.values()].some((o) => o !== -1)) continue;
        let offsetSum = 0;
        let lagSum = 0;
        for (const [partition, offset] of [...partitions].sort((a, b) => a[0] - b[0])) {
          if (onlyAssigned && !assigned?.has(partition)) continue;
          const labels = { consumergroup: group, topic: t.topic, partition: String(partition) };
          out.push(gauge('kafka_consumergroup_current_offset', HELP.current, labels, offset));
          // upstream adds -1 (nothing committed) into the sum; a sum of offsets should not
          if (offset >= 0) offsetSum += offset;
          const high = marks.byTopic.get(t.topic)?.get(partition)?.high;
          if (high === undefined) continue;
          const lag = offset === -1 ? -1 : high - offset;
          if (offset !== -1) lagSum += lag;
          out.push(gauge('kafka_consumergroup_lag', HELP.lag, labels, lag));
        }
        const topicLabels = { consumergroup: group, topic: t.topic };
        out.push(gauge('kafka_consumergroup_current_offset_sum', HELP.currentSum, topicLabels, offsetSum));
        out.push(gauge('kafka_consumergroup_lag_sum', HELP.lagSum, topicLabels, lagSum));
      }
    }
    return out;
  },
};
