import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { row, stat, timeseries } from './panels';

// Kafka seen from the broker side (kafka-exporter, kafka_exporter's metric names), for the
// pipeline and ingestion dashboards: one row each, added after the dashboards' own rows.

const TOPIC = 'movie-events';

/** Pipeline overview: the cluster, what flows into the topic, and every group's lag as Kafka has it. */
export function withPipelineBrokerSide(board: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
  return board
    .withRow(row('Kafka, broker side'))
    .withPanel(
      stat({
        title: 'Brokers',
        description:
          'Brokers in the cluster metadata (kafka_brokers), and whether kafka-exporter can read the cluster at all (kafka_up 0: alert KafkaClusterUnreachable).',
        unit: units.Short,
        queries: [
          { expr: 'max(kafka_brokers)', legend: 'brokers' },
          { expr: 'min(kafka_up)', legend: 'reachable' },
        ],
        span: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'Under-replicated partitions',
        description:
          'Partitions with fewer in-sync replicas than replicas, all topics (alert KafkaUnderReplicatedPartitions).',
        unit: units.Short,
        queries: [{ expr: 'sum(kafka_topic_partition_under_replicated_partition)', legend: 'partitions' }],
        thresholds: [{ value: 1, color: 'red' }],
        span: 6,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Messages in per topic (broker)',
        description:
          'Messages appended per second, from the newest offset of every partition (kafka_topic_partition_current_offset).',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: `sum by (topic) (rate(kafka_topic_partition_current_offset{topic="${TOPIC}"}[$__rate_interval]))`,
            legend: '{{topic}}',
          },
        ],
        span: 12,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Consumer group lag (broker)',
        description:
          "Each group's lag behind the newest offsets as Kafka has it, from the offsets the group committed (kafka_consumergroup_lag_sum; alert KafkaConsumerGroupLagGrowing).",
        unit: units.Short,
        queries: [
          {
            expr: 'sum by (consumergroup, topic) (kafka_consumergroup_lag_sum)',
            legend: '{{consumergroup}} {{topic}}',
          },
        ],
        span: 24,
      }),
    );
}

/** Ingestion: the group's lag from its Kafka commits beside the offsets it stores in PostgreSQL. */
export function withIngestionBrokerSide(board: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
  return board
    .withRow(row('Kafka, broker side: committed and stored offsets'))
    .withPanel(
      timeseries({
        title: 'Lag from committed offsets (broker)',
        description:
          "Lag per partition as Kafka has it: newest offset minus the offset the group committed (kafka_consumergroup_lag). Ingestion commits after each transaction, so this follows the lag computed from PostgreSQL's offsets (Lag per partition) a batch behind.",
        unit: units.Short,
        queries: [
          {
            expr: `max by (consumergroup, partition) (kafka_consumergroup_lag{topic="${TOPIC}"})`,
            legend: '{{consumergroup}}/{{partition}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Committed minus stored offset',
        description:
          'Kafka-committed offset minus the next offset PostgreSQL holds, per partition (kafka_consumergroup_stored_offset_gap, ours). 0 or briefly negative (a commit in flight) is healthy; above 0 Kafka says consumed what PostgreSQL does not hold (alert KafkaCommittedAheadOfStoredOffsets).',
        unit: units.Short,
        queries: [
          {
            expr: `max by (consumergroup, partition) (kafka_consumergroup_stored_offset_gap{topic="${TOPIC}"})`,
            legend: '{{consumergroup}}/{{partition}}',
          },
        ],
      }),
    );
}
