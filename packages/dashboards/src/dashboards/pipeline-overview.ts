import * as units from '@grafana/grafana-foundation-sdk/units';
import type { DashboardDefinition } from '../definition';
import { withPipelineBrokerSide } from '../kafka-broker-panels';
import { baseDashboard, row, stat, timeseries } from '../panels';

const UID = 'reelwatch-pipeline-overview';

function build() {
  const board = baseDashboard(
    'Reelwatch / Pipeline overview',
    UID,
    'The home page: events in and out of the pipeline, consumer lag, latency, errors, firing alerts and scrape targets.',
  )
    .withRow(row('Now'))
    .withPanel(
      stat({
        title: 'Events produced',
        description: 'Events the event-producer wrote to Kafka per second, all types.',
        unit: units.OpsPerSecond,
        queries: [
          { expr: 'sum(rate(reelwatch_producer_events_total[$__rate_interval]))', legend: 'produced' },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Events ingested',
        description:
          'Events ingestion applied to PostgreSQL per second (not duplicates, not dead letters), all replicas.',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: 'sum(rate(reelwatch_ingestion_events_total{outcome="applied"}[$__rate_interval]))',
            legend: 'applied',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Consumer lag',
        description: 'Messages in Kafka the ingestion consumer group has not read yet, all partitions.',
        unit: units.Short,
        queries: [{ expr: 'sum(topic:reelwatch_ingestion_consumer_lag_messages:sum)', legend: 'lag' }],
        thresholds: [
          { value: 1000, color: 'orange' },
          { value: 10000, color: 'red' },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Batch latency p95',
        description:
          '95th percentile of the time ingestion takes to process one polled batch, last 5 minutes.',
        unit: units.Seconds,
        queries: [
          {
            expr: 'max(job:reelwatch_ingestion_batch_duration_seconds:quantile_5m{quantile="0.95"})',
            legend: 'p95',
          },
        ],
        thresholds: [
          { value: 1, color: 'orange' },
          { value: 2, color: 'red' },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Firing alerts',
        description:
          'Prometheus alerts firing right now (Alertmanager routes them; see the Alertmanager datasource).',
        unit: units.Short,
        queries: [{ expr: 'count(ALERTS{alertstate="firing"}) or vector(0)', legend: 'firing' }],
        thresholds: [{ value: 1, color: 'red' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Targets up',
        description: 'Share of the scrape targets Prometheus reached on its last scrape, all jobs.',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        queries: [{ expr: 'sum(up) / count(up)', legend: 'up' }],
        thresholds: [],
      }),
    )
    .withRow(row('Flow'))
    .withPanel(
      timeseries({
        title: 'Events in and out',
        description:
          'Events produced into Kafka per second, by type, against events ingestion read, by outcome (applied, duplicate, dead_letter).',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: 'sum by (type) (rate(reelwatch_producer_events_total[$__rate_interval]))',
            legend: 'produced {{type}}',
          },
          {
            expr: 'sum by (outcome) (rate(reelwatch_ingestion_events_total[$__rate_interval]))',
            legend: 'ingested {{outcome}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Consumer lag by topic',
        description:
          'Unread messages of the ingestion consumer group per topic (partitions summed, replicas de-duplicated).',
        unit: units.Short,
        queries: [{ expr: 'topic:reelwatch_ingestion_consumer_lag_messages:sum', legend: '{{topic}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Batch latency',
        description:
          'Time ingestion takes to process one polled batch: median, 95th and 99th percentile over 5 minutes.',
        unit: units.Seconds,
        queries: [
          { expr: 'job:reelwatch_ingestion_batch_duration_seconds:quantile_5m', legend: 'p{{quantile}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Errors',
        description:
          'Everything that went wrong, per second: producer send errors, dead letters, consumer crashes and database retries of ingestion.',
        unit: units.OpsPerSecond,
        queries: [
          {
            expr: 'sum(rate(reelwatch_producer_send_errors_total[$__rate_interval]))',
            legend: 'producer send errors',
          },
          {
            expr: 'sum(rate(reelwatch_ingestion_dead_letters_total[$__rate_interval]))',
            legend: 'dead letters',
          },
          {
            expr: 'sum(rate(reelwatch_ingestion_consumer_crashes_total[$__rate_interval]))',
            legend: 'consumer crashes',
          },
          {
            expr: 'sum(rate(reelwatch_ingestion_db_retries_total[$__rate_interval]))',
            legend: 'database retries',
          },
        ],
      }),
    )
    .withRow(row('Health'))
    .withPanel(
      timeseries({
        title: 'Alerts firing',
        description: 'Firing alerts by name over time (0 when none fires).',
        unit: units.Short,
        queries: [
          {
            expr: 'count by (alertname) (ALERTS{alertstate="firing"}) or on () vector(0)',
            legend: '{{alertname}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Targets up by job',
        description: 'Scrape targets Prometheus reaches, per job (one per replica for scaled services).',
        unit: units.Short,
        min: 0,
        queries: [{ expr: 'sum by (job) (up)', legend: '{{job}}' }],
      }),
    )
    .withRow(row('Training snapshot'))
    .withPanel(
      stat({
        title: 'Last snapshot',
        description:
          'Time since the training-snapshot job last succeeded (pushed to Pushgateway). Alert after one hour.',
        unit: units.Seconds,
        queries: [
          {
            expr: 'time() - max(reelwatch_training_snapshot_last_success_timestamp_seconds{job="training_snapshot"})',
            legend: 'age',
          },
        ],
        thresholds: [
          { value: 1800, color: 'orange' },
          { value: 3600, color: 'red' },
        ],
        span: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'Snapshot rows',
        description: 'Rows the last training snapshot exported from the replica, all tables.',
        unit: units.Short,
        queries: [{ expr: 'sum(reelwatch_training_snapshot_rows{job="training_snapshot"})', legend: 'rows' }],
        span: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'Snapshot duration',
        description: 'How long the last training snapshot run took.',
        unit: units.Seconds,
        queries: [
          {
            expr: 'max(reelwatch_training_snapshot_duration_seconds{job="training_snapshot"})',
            legend: 'duration',
          },
        ],
        span: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'Snapshot failures',
        description: 'Failed training snapshot runs counted since Pushgateway started.',
        unit: units.Short,
        queries: [
          {
            expr: 'max(reelwatch_training_snapshot_failures_total{job="training_snapshot"})',
            legend: 'failures',
          },
        ],
        thresholds: [{ value: 1, color: 'orange' }],
        span: 6,
      }),
    );
  return withPipelineBrokerSide(board).build();
}

export const pipelineOverview: DashboardDefinition = {
  uid: UID,
  folder: 'reelwatch',
  file: 'pipeline-overview',
  build,
};
