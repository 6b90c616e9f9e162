import type { DashboardDefinition } from '../definition';
import { ingestion } from './ingestion';
import { nodejsRuntime } from './nodejs-runtime';
import { pipelineOverview } from './pipeline-overview';
import { postgresql } from './postgresql';
import { taskQueue } from './task-queue';

/** Every dashboard, in the order Grafana lists them; one module per dashboard in this folder. */
export const dashboards: DashboardDefinition[] = [
  pipelineOverview,
  ingestion,
  postgresql,
  nodejsRuntime,
  taskQueue,
];
