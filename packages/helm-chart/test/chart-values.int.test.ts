import type { K8sObject } from '../src';
import { component, ofKind, podSpec, reelwatchWorkloads, render, valuesSets } from './rendered';

// The values users set most (image, replicas, resources, an existing Secret) must reach every
// object they are meant for: a template that ignored one would render the defaults, and fail here.

const base = valuesSets()[0]!;
const defaults = render(base);
const custom = render(base, [
  'image.repository=registry.example.com/team/reelwatch',
  'image.tag=9.8.7',
  'ingestion.replicas=5',
  'taskWorker.replicas=3',
  'eventProducer.replicas=2',
  'ingestion.resources.limits.memory=3Gi',
  'ingestion.resources.requests.cpu=1500m',
  'taskMonitor.resources.limits.memory=777Mi',
  'secrets.existingSecret=team-connections',
  'trainingSnapshot.existingClaim=snapshots-pvc',
]);

const deployment = (objects: K8sObject[], name: string) =>
  ofKind(objects, 'Deployment').find((d) => component(d) === name)!;
const replicas = (objects: K8sObject[], name: string) =>
  (deployment(objects, name).spec as { replicas?: number }).replicas;
const container = (objects: K8sObject[], name: string) => podSpec(deployment(objects, name)).containers[0]!;

test('image.repository and image.tag reach every container of the services and the job', () => {
  const workloads = reelwatchWorkloads(custom);
  expect(workloads.length).toBe(6);
  for (const w of workloads)
    for (const c of podSpec(w).containers) expect(c.image).toBe('registry.example.com/team/reelwatch:9.8.7');
  for (const w of reelwatchWorkloads(defaults))
    for (const c of podSpec(w).containers) expect(c.image).not.toContain('9.8.7');
});

test('replicas reach their Deployments', () => {
  expect([
    replicas(custom, 'ingestion'),
    replicas(custom, 'task-worker'),
    replicas(custom, 'event-producer'),
  ]).toEqual([5, 3, 2]);
  expect([
    replicas(defaults, 'ingestion'),
    replicas(defaults, 'task-worker'),
    replicas(defaults, 'event-producer'),
  ]).not.toEqual([5, 3, 2]);
});

test('resources reach their containers, merged with the defaults', () => {
  expect(container(custom, 'ingestion').resources).toEqual({
    requests: { cpu: '1500m', memory: container(defaults, 'ingestion').resources!.requests!.memory },
    limits: { memory: '3Gi' },
  });
  expect(container(custom, 'task-monitor').resources?.limits?.memory).toBe('777Mi');
  expect(container(defaults, 'task-monitor').resources?.limits?.memory).not.toBe('777Mi');
});

test('secrets.existingSecret is the Secret of every secret volume; the chart creates none', () => {
  const workloads = reelwatchWorkloads(custom);
  const secretVolumes = workloads.flatMap((w) => (podSpec(w).volumes ?? []).filter((v) => v.secret));
  // every workload but event-producer, which needs no secret
  expect(secretVolumes.length).toBe(workloads.length - 1);
  for (const v of secretVolumes) expect(v.secret!.secretName).toBe('team-connections');
  expect(ofKind(custom, 'Secret')).toEqual([]);
});

test('trainingSnapshot.existingClaim becomes the snapshots volume of the CronJob', () => {
  const job = ofKind(custom, 'CronJob')[0]!;
  const volumes = podSpec(job).volumes as { name: string; persistentVolumeClaim?: { claimName: string } }[];
  expect(volumes.find((v) => v.name === 'snapshots')?.persistentVolumeClaim?.claimName).toBe('snapshots-pvc');
});

test('secrets.create renders the Secret with the given keys only', () => {
  const objects = render(base, ['secrets.create=true', 'secrets.values.redis-url=redis://r:6379']);
  const [secret] = ofKind(objects, 'Secret');
  expect(secret?.metadata.name).toBe('reelwatch');
  expect(secret?.stringData).toEqual({ 'redis-url': 'redis://r:6379' });
});
