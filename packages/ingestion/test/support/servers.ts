import { type KafkaCluster, type PostgresCluster, startKafka, startPostgres } from '@reelwatch/testkit';
import { requireBuilt } from './pipeline';

export interface ServersOptions {
  /** Start a Kafka mock cluster (default true). */
  kafka?: boolean;
  /** Start a PostgreSQL streaming replica too (default false). */
  replica?: boolean;
  /** The test runs the built service: fail at once if dist/ is missing (default false). */
  built?: boolean;
}

/** The servers of one test file, available inside its tests. */
export interface Servers {
  readonly kafka: KafkaCluster;
  readonly postgres: PostgresCluster;
  /** Registers cleanup to run after the file's tests, before the servers go (errors ignored). */
  onTeardown(cleanup: () => unknown): void;
}

/**
 * The shared fixture of the ingestion integration tests: registers beforeAll/afterAll that start
 * real Kafka (mock cluster) and PostgreSQL from testkit once per file, and tear them down after the
 * file's own cleanups.
 */
export function useServers(options: ServersOptions = {}): Servers {
  const { kafka: withKafka = true, replica = false, built = false } = options;
  let kafka: KafkaCluster | undefined;
  let postgres: PostgresCluster | undefined;
  const cleanups: Array<() => unknown> = [];
  beforeAll(async () => {
    if (built) requireBuilt();
    if (withKafka) kafka = await startKafka();
    postgres = await startPostgres({ replica });
  }, 120_000);
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // teardown goes on: the servers below must still be destroyed
      }
    }
    await kafka?.destroy();
    await postgres?.destroy();
  });
  return {
    get kafka() {
      if (!kafka) throw new Error('useServers: no Kafka (started with kafka: false, or not yet)');
      return kafka;
    },
    get postgres() {
      if (!postgres) throw new Error('useServers: PostgreSQL not started yet');
      return postgres;
    },
    onTeardown(cleanup) {
      cleanups.push(cleanup);
    },
  };
}
