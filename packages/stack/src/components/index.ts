import { alertSink } from './alert-sink';
import { alertmanager } from './alertmanager';
import type { StackComponent } from './component';
import { eventProducer } from './event-producer';
import { grafana } from './grafana';
import { ingestion } from './ingestion';
import { kafka } from './kafka';
import { kafkaExporter } from './kafka-exporter';
import { pgExporter } from './pg-exporter';
import { postgresPrimary } from './postgres-primary';
import { postgresReplica } from './postgres-replica';
import { prometheus } from './prometheus';
import { pushgateway } from './pushgateway';
import { redis } from './redis';
import { taskMonitor } from './task-monitor';
import { taskTraffic } from './task-traffic';
import { taskWorker } from './task-worker';
import { trainingSnapshot } from './training-snapshot';

export type { ComponentUrl, ComposeService, Runtime, StackComponent } from './component';

/**
 * The stack's topology: every component, in start order (stopped in reverse). The native backend,
 * doctor, the end-to-end test and the README Ports table read it; a test checks it against
 * compose/docker-compose.yml. Adding a component: one file here, one line below, its Compose service.
 */
export const COMPONENTS: readonly StackComponent[] = [
  postgresPrimary,
  postgresReplica,
  kafka,
  redis,
  pushgateway,
  alertSink,
  alertmanager,
  ingestion,
  eventProducer,
  pgExporter,
  kafkaExporter,
  taskWorker,
  taskMonitor,
  trainingSnapshot,
  taskTraffic,
  prometheus,
  grafana,
];

export function findComponent(name: string): StackComponent | undefined {
  return COMPONENTS.find((c) => c.name === name);
}

/** The components with a native port, in list order: with a port base B, the i-th listens on B + i. */
export const PORT_NAMES: readonly string[] = COMPONENTS.filter((c) => c.nativePort !== undefined).map(
  (c) => c.name,
);

export const DEFAULT_PORTS: Readonly<Record<string, number>> = Object.fromEntries(
  COMPONENTS.flatMap((c) => (c.nativePort === undefined ? [] : [[c.name, c.nativePort]])),
);

/** Components that run a package of this repo (its dist/main.js must be built). */
export const BUILT_COMPONENTS: readonly StackComponent[] = COMPONENTS.filter(
  (c) => c.packageDir !== undefined,
);

/** Ports Compose publishes on the host, by their .env keys, with their defaults. */
export const COMPOSE_PUBLISHED_PORTS: Readonly<Record<string, number>> = Object.fromEntries(
  COMPONENTS.flatMap((c) =>
    c.compose.published && c.compose.port !== undefined ? [[c.compose.published, c.compose.port]] : [],
  ),
);
