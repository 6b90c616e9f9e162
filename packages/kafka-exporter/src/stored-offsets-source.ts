import { maskDsn } from '@reelwatch/service-kit';
import pg from 'pg';
import { KafkaExporterError } from './errors';

/** One row of ingestion's ingestion_offsets table (packages/ingestion, migrations/001). */
export interface StoredOffset {
  group: string;
  topic: string;
  partition: number;
  /** the next offset to apply: last_offset + 1, what a Kafka committed offset means */
  next: number;
}

// last_offset -1 is a row created before anything was applied: no offset is stored yet.
const SQL = `SELECT consumer_group, topic, partition, last_offset::text AS last_offset
  FROM ingestion_offsets WHERE last_offset >= 0 ORDER BY consumer_group, topic, partition`;

/**
 * Reads the offsets ingestion stores in PostgreSQL in the same transaction as the data. One
 * connection at most, each query bounded by a statement timeout.
 */
export class StoredOffsetsSource {
  private readonly pool: pg.Pool;
  readonly label: string;

  constructor(databaseUrl: string, timeoutMs: number) {
    this.label = maskDsn(databaseUrl);
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 1,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
      idleTimeoutMillis: 60_000,
      application_name: 'reelwatch-kafka-exporter',
    });
    // an idle connection dropped by the server must not crash the process
    this.pool.on('error', () => undefined);
  }

  async read(): Promise<StoredOffset[]> {
    try {
      const { rows } = await this.pool.query<{
        consumer_group: string;
        topic: string;
        partition: number;
        last_offset: string;
      }>(SQL);
      return rows.map((r) => ({
        group: r.consumer_group,
        topic: r.topic,
        partition: r.partition,
        next: Number(r.last_offset) + 1,
      }));
    } catch (cause) {
      throw new KafkaExporterError('STORED_OFFSETS_FAILED', `read ingestion_offsets from ${this.label}`, {
        cause,
        retryable: true,
      });
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
