import { randomBytes } from 'node:crypto';
import { findBinary } from './binaries';
import { spawnChild } from './process';
import { GiveUpWaiting, waitFor } from './wait';

export interface KafkaCluster {
  /** host:port of every mock broker, for kafkajs' `brokers`. */
  brokers: string[];
  /**
   * Freezes every mock broker (SIGSTOP): connections stay open but nothing answers, as with a hung
   * or partitioned broker. Clients see request timeouts, not refused connections.
   */
  suspend(): void;
  /** Lets a suspended cluster run again (SIGCONT). */
  resume(): void;
  destroy(): Promise<void>;
}

export interface StartKafkaOptions {
  /** Number of mock brokers (default 1). */
  brokers?: number;
}

const START_TIMEOUT_MS = 15_000;
const BOOTSTRAP = /Mock cluster \S+ bootstrap\.servers=(\S+)/;

/**
 * A Kafka wire-protocol cluster for tests: librdkafka's built-in mock cluster, hosted by a `kcat`
 * consumer (Debian package `kcat`). `test.mock.num.brokers=N` makes librdkafka start N mock brokers
 * on random 127.0.0.1 ports instead of connecting to `-b`; `debug=mock` makes it log their address
 * (`Mock cluster <name> bootstrap.servers=127.0.0.1:P1,...`), which is parsed here. kcat consumes a
 * keepalive topic so it (and with it the cluster) runs until destroy().
 *
 * What kafkajs clients need to know (checked with librdkafka 2.0.2, kcat 1.7, kafkajs 2.2):
 * - Topics are auto-created on first use (a metadata request for an unknown topic) with 4
 *   partitions and replication factor min(3, brokers): librdkafka hard-codes
 *   `mcluster->defaults.partition_cnt = 4` and offers no `-X` property for it (only the C API
 *   rd_kafka_mock_topic_create, which kcat does not expose). kafkajs' default
 *   `allowAutoTopicCreation: true` (producer and consumer) is what creates a topic; produce once
 *   (or fetch its metadata) before consumers subscribe so they see all 4 partitions at once.
 * - kafkajs admin.createTopics does NOT work against it: it fails with "Broker 0 not found in the
 *   cached metadata": kafkajs sends CreateTopics to the controller, and the mock's metadata names
 *   controller 0 while its brokers are numbered from 1.
 *   admin.fetchTopicMetadata({ topics: [t] }) creates the topic instead (auto-creation).
 * - Consumer groups (JoinGroup/SyncGroup/Heartbeat), OffsetCommit/OffsetFetch and ListOffsets work,
 *   so admin.fetchOffsets and committed offsets behave as on a real broker.
 * - Rebalance timing is the mock's own (rdkafka_mock_cgrp.c, measured with kafkajs): the first
 *   join of an empty group waits 3 s (like group.initial.rebalance.delay.ms), so members that
 *   join within 3 s share one generation. Any later rebalance (a member joins or leaves a running
 *   group) waits sessionTimeout - 1 s for the others to rejoin: with kafkajs' default
 *   sessionTimeout of 30 s that is 29 s. Tests that rebalance should use e.g.
 *   `sessionTimeout: 3000, heartbeatInterval: 300` (rebalance in ~2 s).
 * - The mock holds a fetch for the full maxWaitTime when there is nothing to return, and kafkajs'
 *   consumer.disconnect() waits for the in-flight fetch: with the default maxWaitTimeInMs (5000)
 *   every disconnect takes ~5 s. Tests should pass e.g. `maxWaitTimeInMs: 200` to kafka.consumer().
 * - The mock logs every request at debug level; the output is drained into a ring buffer, never
 *   left in a pipe (a full pipe would stall the mock brokers).
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaCluster> {
  const kcat = findBinary('kcat', 'kcat');
  const count = options.brokers ?? 1;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`startKafka: brokers must be >= 1, got ${count}`);
  const keepalive = `testkit-keepalive-${randomBytes(6).toString('hex')}`;
  const child = spawnChild({
    name: 'kcat mock cluster',
    command: kcat,
    // -b is ignored once test.mock.num.brokers is set; 127.0.0.1:1 makes sure nothing real is reached
    args: [
      '-b',
      '127.0.0.1:1',
      '-X',
      `test.mock.num.brokers=${count}`,
      '-X',
      'debug=mock',
      '-E',
      '-C',
      '-t',
      keepalive,
    ],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    outputLimit: 32 * 1024,
  });
  let bootstrap: string | undefined;
  const stopListening = child.onOutput((chunk) => {
    bootstrap ??= BOOTSTRAP.exec(chunk)?.[1];
  });
  try {
    const servers = await waitFor(
      () => {
        bootstrap ??= BOOTSTRAP.exec(child.output())?.[1];
        if (bootstrap !== undefined) return bootstrap;
        if (child.hasExited) {
          throw new GiveUpWaiting(`kcat exited (code ${child.exitCode}) before the mock cluster came up`);
        }
        return undefined;
      },
      {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 20,
        what: 'kcat to print the mock cluster bootstrap.servers',
      },
    );
    stopListening();
    return {
      brokers: servers.split(','),
      suspend() {
        process.kill(child.pid, 'SIGSTOP');
      },
      resume() {
        process.kill(child.pid, 'SIGCONT');
      },
      async destroy() {
        // A suspended process would not act on SIGTERM until continued.
        if (!child.hasExited) process.kill(child.pid, 'SIGCONT');
        await child.stop('SIGTERM', 5_000);
      },
    };
  } catch (error) {
    stopListening();
    await child.stop('SIGKILL', 5_000);
    throw new Error(
      `startKafka failed: ${(error as Error).message}\n--- kcat stderr tail ---\n${child.outputTail(20)}`,
      {
        cause: error,
      },
    );
  }
}
