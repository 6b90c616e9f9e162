import { kafkaLogCreator } from '@reelwatch/service-kit';
import { type Admin, AssignerProtocol, Kafka, type KafkaConfig } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConnection } from './config';
import { KafkaExporterError } from './errors';

export interface BrokerInfo {
  id: number;
  address: string;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicInfo {
  topic: string;
  partitions: PartitionInfo[];
}

export interface Watermark {
  partition: number;
  /** next offset to be written (kafka_exporter's "current offset") */
  high: number;
  /** oldest offset kept */
  low: number;
}

export interface GroupDescription {
  groupId: string;
  members: number;
  /** topic -> partitions assigned to some member */
  assigned: Map<string, Set<number>>;
}

/** A group's committed offsets: topic -> partition -> offset (-1: none committed). */
export type CommittedOffsets = Map<string, Map<number, number>>;

/** The broker does not implement the API (librdkafka's mock has no ListGroups or DescribeGroups). */
function unsupported(err: unknown): boolean {
  const e = err as { name?: string; type?: string; message?: string };
  return (
    e?.name === 'KafkaJSServerDoesNotSupportApiKey' ||
    e?.type === 'UNSUPPORTED_VERSION' ||
    /does not support the requested API version/.test(e?.message ?? '')
  );
}

/**
 * The exporter's view of one Kafka cluster through kafkajs's admin client. Connects on first use
 * and again after a failure; `undefined` from listGroups/describeGroups means "this broker does
 * not implement the API", which is a capability, not a failure.
 */
export class KafkaSource {
  private readonly kafka: Kafka;
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;

  constructor(connection: KafkaConnection, logger: Logger) {
    const config: KafkaConfig = {
      clientId: 'kafka_exporter',
      brokers: connection.brokers,
      connectionTimeout: connection.requestTimeoutMs,
      requestTimeout: connection.requestTimeoutMs,
      // one quick retry: the scrape has its own deadline, and a retry storm would outlive it
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
      logCreator: kafkaLogCreator(logger.child({ unit: 'kafkajs' })),
      logLevel: 1,
    };
    if (connection.tls) config.ssl = connection.tls;
    if (connection.sasl) config.sasl = connection.sasl as KafkaConfig['sasl'];
    this.kafka = new Kafka(config);
  }

  private async client(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (cause) {
        await admin.disconnect().catch(() => undefined);
        throw new KafkaExporterError('KAFKA_UNAVAILABLE', 'cannot connect to Kafka', {
          cause,
          retryable: true,
        });
      }
      this.admin = admin;
      return admin;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /**
   * Runs one admin call. Only a failed cluster-wide call (`reset`) drops the connection so the next
   * scrape starts afresh: dropping it on one topic's failure would cut the requests of every other
   * topic in flight on it ("write after end").
   */
  private async call<T>(what: string, run: (admin: Admin) => Promise<T>, reset = false): Promise<T> {
    const admin = await this.client();
    try {
      return await run(admin);
    } catch (cause) {
      if (unsupported(cause)) throw cause;
      if (reset && this.admin === admin) {
        this.admin = undefined;
        void admin.disconnect().catch(() => undefined);
      }
      if (cause instanceof KafkaExporterError) throw cause;
      throw new KafkaExporterError('KAFKA_REQUEST_FAILED', what, { cause, retryable: true });
    }
  }

  async brokers(): Promise<BrokerInfo[]> {
    const cluster = await this.call('describe cluster', (a) => a.describeCluster(), true);
    return cluster.brokers
      .map((b) => ({ id: b.nodeId, address: `${b.host}:${b.port}` }))
      .sort((a, b) => a.id - b.id);
  }

  async topics(): Promise<TopicInfo[]> {
    const { topics } = await this.call('fetch topic metadata', (a) => a.fetchTopicMetadata());
    return topics
      .map((t) => ({
        topic: t.name,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
          .sort((a, b) => a.partition - b.partition),
      }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  }

  async watermarks(topic: string): Promise<Watermark[]> {
    const offsets = await this.call(`fetch offsets of topic ${topic}`, (a) => a.fetchTopicOffsets(topic));
    return offsets
      .map((o) => ({ partition: o.partition, high: Number(o.high), low: Number(o.low) }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** Every group's id, or undefined when the brokers do not implement ListGroups. */
  async listGroups(): Promise<string[] | undefined> {
    try {
      const { groups } = await this.call('list groups', (a) => a.listGroups());
      return groups.map((g) => g.groupId).sort();
    } catch (err) {
      if (unsupported(err)) return undefined;
      throw err;
    }
  }

  /** Members and assignments of the groups, or undefined when the brokers do not implement DescribeGroups. */
  async describeGroups(groupIds: string[]): Promise<GroupDescription[] | undefined> {
    if (groupIds.length === 0) return [];
    try {
      const { groups } = await this.call('describe groups', (a) => a.describeGroups(groupIds));
      return groups.map((g) => {
        const assigned = new Map<string, Set<number>>();
        for (const m of g.members) {
          if (!m.memberAssignment || m.memberAssignment.length === 0) continue;
          const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
          for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) {
            const set = assigned.get(topic) ?? new Set<number>();
            for (const p of partitions) set.add(p);
            assigned.set(topic, set);
          }
        }
        return { groupId: g.groupId, members: g.members.length, assigned };
      });
    } catch (err) {
      if (unsupported(err)) return undefined;
      throw err;
    }
  }

  /** The group's committed offsets on the given topics (-1 where it committed none). */
  async committed(groupId: string, topics: string[]): Promise<CommittedOffsets> {
    const out: CommittedOffsets = new Map();
    if (topics.length === 0) return out;
    const result = await this.call(`fetch committed offsets of group ${groupId}`, (a) =>
      a.fetchOffsets({ groupId, topics }),
    );
    for (const t of result) {
      const partitions = new Map<number, number>();
      for (const p of t.partitions) partitions.set(p.partition, Number(p.offset));
      out.set(t.topic, partitions);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
