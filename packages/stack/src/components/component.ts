import type { BinaryRequirement } from '../native/binaries';
import type { LaunchSpec } from '../native/processes';
import type { NativeSettings } from '../native/settings';

/** What `up` found out while starting (the mock cluster's random ports), kept in the state file. */
export interface Runtime {
  kafkaBrokers?: string;
  /** Identifies one run of the embedded mock cluster (its log starts empty each time). */
  kafkaRunId?: string;
  /** Components that were not started, with why (not installed, not built in this checkout). */
  skipped: Record<string, string>;
}

export interface ComponentUrl {
  name: string;
  url: string;
  note?: string;
}

/** How the component appears in compose/docker-compose.yml (a test checks the two agree). */
export interface ComposeService {
  /** The port it listens on inside Compose (undefined: none). */
  port?: number;
  /** The .env key Compose publishes `port` on the host with (`${KEY:-port}`); undefined: not published. */
  published?: string;
  /** The keys of its Compose `environment:`. */
  environment: string[];
  /** Whether Compose has a healthcheck for it (others wait for it). */
  healthcheck: boolean;
  /** Compose-only helper services that belong to it (kafka-init creates the topic). */
  helpers?: string[];
}

/**
 * One component of the stack. `name` is its Compose service name, its Prometheus job name (when
 * scraped), its native state/log name, and the name `pnpm stack logs` takes.
 */
export interface StackComponent {
  name: string;
  description: string;
  compose: ComposeService;
  /** Native default port (undefined: none, or picked at start); with --port-base, ports follow list order. */
  nativePort?: number;
  /** Prometheus scrapes it (job name = name). */
  scraped?: boolean;
  /** Its row of the README Ports table. */
  docs: { label: string; native?: string };
  /** The package whose dist/main.js it runs (a service of this repo; it must be built). */
  packageDir?: string;
  /** Binaries it needs; a required component stops `up` when they are missing. */
  binaries: BinaryRequirement[];
  /** Optional components are skipped with a note when their binary is missing. */
  optional?: boolean;
  /** Signal for a graceful stop (PostgreSQL: SIGINT = fast shutdown; SIGTERM would wait for clients). */
  stopSignal?: NodeJS.Signals;
  /** Why it cannot run in this checkout/setting (undefined = it can). */
  unavailable?(s: NativeSettings): string | undefined;
  /** One-time or every-time preparation (initdb, config files); `all` is the whole topology. */
  prepare?(s: NativeSettings, rt: Runtime, all: readonly StackComponent[]): Promise<void> | void;
  /** What to run; undefined = nothing to run (Kafka given by KAFKA_BROKERS). */
  launch(s: NativeSettings, rt: Runtime): LaunchSpec | undefined;
  /**
   * Why it is not restarted when it exits (undefined: it is, by native mode's supervisor, as
   * Compose's `restart: unless-stopped` does).
   */
  noRestart?: string;
  /** Start the log afresh at each start (the mock cluster's address is read from it). */
  truncateLog?: boolean;
  /** Throws unless healthy; may fill `rt` (the mock cluster's address). */
  health(s: NativeSettings, rt: Runtime): Promise<void>;
  /** After it is healthy the first time (create the app database...). */
  ready?(s: NativeSettings, rt: Runtime): Promise<void>;
  urls?(s: NativeSettings, rt: Runtime): ComponentUrl[];
  /** A line for `status` beside a healthy component (a loop's last result). */
  detail?(s: NativeSettings): string | undefined;
}
