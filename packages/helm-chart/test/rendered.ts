import { readdirSync } from 'node:fs';
import path from 'node:path';
import { chartPaths, type K8sObject, renderChart } from '../src';

// What the render tests share: the values sets (the defaults and every file in the chart's
// examples/ folder) and small accessors into rendered objects.

export const paths = chartPaths();

export interface ValuesSet {
  /** "default" or the example's file name. */
  name: string;
  files: string[];
}

export function valuesSets(): ValuesSet[] {
  const examples = readdirSync(paths.examples)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f, files: [path.join(paths.examples, f)] }));
  return [{ name: 'default', files: [] }, ...examples];
}

export function render(set: ValuesSet, extra: string[] = []): K8sObject[] {
  return renderChart({ chart: paths.chart, valuesFiles: set.files, set: extra });
}

export const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

export interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name: string; containerPort: number }[];
  resources?: Record<string, Record<string, string>>;
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

export interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
}

/** The value at a dotted path of an object (undefined when any step is missing). */
export function dig(value: unknown, dotted: string): unknown {
  let at = value;
  for (const key of dotted.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The pod template's labels of a Deployment. */
export const podLabels = (object: K8sObject) =>
  dig(object, 'spec.template.metadata.labels') as Record<string, string>;

/** The pod template of a Deployment or a CronJob. */
export function podSpec(object: K8sObject): PodSpec {
  if (object.kind === 'CronJob') return dig(object, 'spec.jobTemplate.spec.template.spec') as PodSpec;
  return dig(object, 'spec.template.spec') as PodSpec;
}

export const component = (object: K8sObject) => object.metadata.labels?.['app.kubernetes.io/component'];

/** The Reelwatch services (the repo's own image), by their component name. */
export const SERVICE_COMPONENTS = [
  'event-producer',
  'ingestion',
  'pg-exporter',
  'task-worker',
  'task-monitor',
];

/** Workloads running the repo's image: the services' Deployments and the training-snapshot CronJob. */
export function reelwatchWorkloads(objects: K8sObject[]): K8sObject[] {
  return objects.filter(
    (o) =>
      (o.kind === 'Deployment' || o.kind === 'CronJob') &&
      [...SERVICE_COMPONENTS, 'training-snapshot'].includes(component(o) ?? ''),
  );
}
