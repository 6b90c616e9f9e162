import * as units from '@grafana/grafana-foundation-sdk/units';
import type { DashboardDefinition } from '../definition';
import { withIngestionBrokerSide } from '../kafka-broker-panels';
import { baseDashboard, labelVariable, row, stat, timeseries } from '../panels';

const UID = 'reelwatch-ingestion';
const I = 'instance=~"$instance"';

function quantiles(metric: string): { expr: string; legend: string }[] {
  return [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket{${I}}[$__rate_interval])))`,
    legend: `p${q * 100}`,
  }));
}

function build() {
  const board = baseDashboard(
    'Reelwatch / Ingestion',
    UID,
    'The Kafka consumer group that aggregates movie events into PostgreSQL: batch latency, throughput, lag, transactions, dead letters; and the producer feeding it.',
  )
    .withVariable(
      labelVariable(
        'instance',
        'Ingestion replica',
        'label_values(reelwatch_ingestion_batch_duration_seconds_count, instance)',
      ),
    )
    .withRow(row('Batches'))
    .withPanel(
      timeseries({
        title: 'Batch latency',
        description:
          'Time to process one polled batch (parse, aggregate, one PostgreSQL transaction, commit offsets): p50, p95 and p99 over the selected replicas, and the one-hour running average of all replicas (recording rule job:reelwatch_ingestion_batch_duration_seconds:mean_1h).',
        unit: units.Seconds,
        queries: [
          ...quantiles('reelwatch_ingestion_batch_duration_seconds'),
          { expr: 'job:reelwatch_ingestion_batch_duration_seconds:mean_1h', legend: '1h running average' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Batches per second',
        description: 'Batches processed per second by each ingestion replica.',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: `sum by (instance) (rate(reelwatch_ingestion_batch_duration_seconds_count{${I}}[$__rate_interval]))`,
            legend: '{{instance}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Batch size',
        description: 'Events per polled batch: median and 95th percentile.',
        unit: units.Short,
        queries: quantiles('reelwatch_ingestion_batch_size_events').filter((q) => q.legend !== 'p99'),
      }),
    )
    .withPanel(
      stat({
        title: 'Since last batch',
        description:
          'Time since any selected replica finished a batch. Growing while the lag is above zero means ingestion is stalled (alert ReelwatchIngestionStalled).',
        unit: units.Seconds,
        queries: [
          { expr: `time() - max(reelwatch_ingestion_last_batch_timestamp_seconds{${I}})`, legend: 'age' },
        ],
        thresholds: [
          { value: 60, color: 'orange' },
          { value: 120, color: 'red' },
        ],
        span: 12,
        height: 8,
      }),
    )
    .withRow(row('Events'))
    .withPanel(
      timeseries({
        title: 'Throughput by event type',
        description: 'Events applied per second, by type (watch, rate, recommend).',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: `sum by (type) (rate(reelwatch_ingestion_events_total{outcome="applied",${I}}[$__rate_interval]))`,
            legend: '{{type}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Events by outcome',
        description:
          'Events read per second by outcome: applied, duplicate (already applied, e.g. redelivered after a rebalance) or dead_letter.',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: `sum by (outcome) (rate(reelwatch_ingestion_events_total{${I}}[$__rate_interval]))`,
            legend: '{{outcome}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'New users and movies',
        description:
          'Users and movies seen for the first time, per second: new users arrive steadily, new movies rarely.',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: `sum(rate(reelwatch_ingestion_new_users_total{${I}}[$__rate_interval]))`,
            legend: 'new users',
          },
          {
            expr: `sum(rate(reelwatch_ingestion_new_movies_total{${I}}[$__rate_interval]))`,
            legend: 'new movies',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Dead letters by reason',
        description:
          'Events written to the dead-letter table per second, by reason. They never block a partition; the table keeps topic, partition and offset.',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: `sum by (reason) (rate(reelwatch_ingestion_dead_letters_total{${I}}[$__rate_interval]))`,
            legend: '{{reason}}',
          },
        ],
      }),
    )
    .withRow(row('Kafka consumer'))
    .withPanel(
      timeseries({
        title: 'Lag per partition',
        description:
          'Unread messages per topic partition (computed at scrape; the maximum over replicas reporting the same partition).',
        unit: units.Short,
        queries: [
          {
            expr: 'topic_partition:reelwatch_ingestion_consumer_lag_messages:max',
            legend: '{{topic}}/{{partition}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Rebalances and crashes',
        description:
          'Consumer group rebalances and consumer crashes (restarted by kafkajs) in each interval.',
        unit: units.Short,
        queries: [
          {
            expr: `sum(increase(reelwatch_ingestion_rebalances_total{${I}}[$__rate_interval]))`,
            legend: 'rebalances',
          },
          {
            expr: `sum(increase(reelwatch_ingestion_consumer_crashes_total{${I}}[$__rate_interval]))`,
            legend: 'crashes',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Messages lost to retention',
        description:
          'Messages the broker deleted (retention) before ingestion read them, per partition in each interval: their offsets were skipped and the data is lost. Should stay 0; alert ReelwatchDataLostToRetention.',
        unit: units.Short,
        queries: [
          {
            expr: `sum by (topic, partition) (increase(reelwatch_ingestion_skipped_offsets_total{${I}}[$__rate_interval]))`,
            legend: '{{topic}}/{{partition}}',
          },
        ],
      }),
    )
    .withRow(row('PostgreSQL writes'))
    .withPanel(
      timeseries({
        title: 'Transaction time',
        description: 'Duration of the one PostgreSQL transaction that applies a batch: p50, p95, p99.',
        unit: units.Seconds,
        queries: quantiles('reelwatch_ingestion_db_transaction_duration_seconds'),
      }),
    )
    .withPanel(
      timeseries({
        title: 'Database retries',
        description:
          'Retries of a failed batch transaction per second, and replicas currently retrying (waiting for PostgreSQL to come back).',
        unit: units.Short,
        queries: [
          {
            expr: `sum(rate(reelwatch_ingestion_db_retries_total{${I}}[$__rate_interval]))`,
            legend: 'retries/s',
          },
          { expr: `sum(reelwatch_ingestion_db_retrying{${I}})`, legend: 'replicas retrying' },
        ],
      }),
    )
    .withRow(row('Producer'))
    .withPanel(
      timeseries({
        title: 'Events produced by type',
        description:
          'Events the event-producer sent to Kafka per second, by type (malformed lines are deliberate).',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: 'sum by (type) (rate(reelwatch_producer_events_total[$__rate_interval]))',
            legend: '{{type}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Producer send latency',
        description:
          'Time to send one batch to Kafka and get the acks of all in-sync replicas: p50, p95, p99.',
        unit: units.Seconds,
        queries: [0.5, 0.95, 0.99].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le) (rate(reelwatch_producer_send_duration_seconds_bucket[$__rate_interval])))`,
          legend: `p${q * 100}`,
        })),
      }),
    )
    .withPanel(
      timeseries({
        title: 'Producer send errors',
        description: 'Batches the producer failed to send to Kafka, per second.',
        unit: units.OpsPerSecond,
        queries: [
          { expr: 'sum(rate(reelwatch_producer_send_errors_total[$__rate_interval]))', legend: 'errors' },
        ],
      }),
    );
  return withIngestionBrokerSide(board).build();
}

export const ingestion: DashboardDefinition = { uid: UID, folder: 'reelwatch', file: 'ingestion', build };
