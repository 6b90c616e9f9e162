import type { Sample } from '@reelwatch/pg-exporter';
import type { BrokerInfo, CommittedOffsets, GroupDescription, TopicInfo, Watermark } from './kafka-source';
import type { StoredOffset } from './stored-offsets-source';

/** topic -> partition -> watermarks, and the topics whose offsets could not be read. */
export interface WatermarkSet {
  byTopic: Map<string, Map<number, Watermark>>;
  failedTopics: string[];
  /** why the first of them failed */
  firstError?: unknown;
}

/**
 * What a collector sees of one collection. Every lookup is made at most once per collection and
 * shared, so collectors that need the same Kafka answer (topics and consumer groups both need the
 * watermarks) cost one set of requests, whatever their order.
 */
export interface CollectorContext {
  brokers(): Promise<BrokerInfo[]>;
  /** topics passing --topic.filter and not --topic.exclude */
  topics(): Promise<TopicInfo[]>;
  watermarks(): Promise<WatermarkSet>;
  /** groups passing --group.filter and not --group.exclude: listed by the brokers, configured, or stored */
  groups(): Promise<string[]>;
  /** undefined when the brokers do not implement DescribeGroups */
  describeGroups(): Promise<Map<string, GroupDescription> | undefined>;
  committed(group: string): Promise<CommittedOffsets>;
  /** undefined when no database is configured; rows filtered like groups and topics */
  storedOffsets(): Promise<StoredOffset[] | undefined>;
  offsetShowAll: boolean;
  /**
   * A part of the collector's work failed (one topic's offsets, one group): its samples are kept,
   * and the collector is reported failed for this scrape.
   */
  partialFailure(err: unknown, context: Record<string, unknown>): void;
}

/**
 * One collector: a name used everywhere (`consumergroups` -> label collector="consumergroups",
 * toggle KAFKA_EXPORTER_COLLECTOR_CONSUMERGROUPS, flag --[no-]collector.consumergroups).
 */
export interface Collector {
  name: string;
  /** what it reads: collectors reading PostgreSQL run only when a database is configured */
  source: 'kafka' | 'postgres';
  defaultEnabled: boolean;
  /** one line for the README */
  description: string;
  /** the metric families it can emit, for the README and the catalogue check */
  metrics: readonly string[];
  collect(ctx: CollectorContext): Promise<Sample[]>;
}

export function gauge(name: string, help: string, labels: Record<string, string>, value: number): Sample {
  return { name, help, type: 'gauge', labels, value };
}
