import { readFileSync } from 'node:fs';
import { scrapeJobNames } from '@reelwatch/stack-config';
import { parse } from 'yaml';
import { helm, type K8sObject, validateStrict } from '../src';
import {
  component,
  dig,
  ofKind,
  paths,
  podLabels,
  podSpec,
  reelwatchWorkloads,
  render,
  valuesSets,
} from './rendered';

// helm lint and helm template for the default values and every example, then every rendered
// object against the Kubernetes and CRD schemas with unknown fields rejected, and the wiring
// between objects (ServiceMonitor -> Service -> pod port) checked.

const sets = valuesSets();
const rendered = new Map<string, K8sObject[]>();

beforeAll(() => {
  for (const set of sets) rendered.set(set.name, render(set));
  // the figure the issue asks for: objects per values file
  const counts = sets.map((s) => `${s.name}: ${rendered.get(s.name)!.length}`).join(', ');
  process.stdout.write(`helm template objects per values file: ${counts}\n`);
});

const get = (name: string) => rendered.get(name)!;

test('the chart has the default values and at least two example values files', () => {
  expect(sets.map((s) => s.name)).toContain('default');
  expect(sets.length).toBeGreaterThanOrEqual(3);
});

describe.each(sets.map((s) => [s.name, s] as const))('values %s', (name, set) => {
  test('helm lint passes', () => {
    const result = helm(['lint', paths.chart, '--strict', ...set.files.flatMap((f) => ['--values', f])]);
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual(
      expect.objectContaining({ status: 0 }),
    );
  });

  test('every rendered object passes its strict schema (unknown fields rejected)', () => {
    const failures = get(name)
      .map((o) => validateStrict(o))
      .filter((r) => r.problems.length > 0);
    expect(failures).toEqual([]);
    expect(get(name).length).toBeGreaterThan(10);
  });

  test('no two objects share a kind and a name', () => {
    const ids = get(name).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  test('every ServiceMonitor selects a rendered Service, by a port name that Service has', () => {
    const services = ofKind(get(name), 'Service');
    const monitors = ofKind(get(name), 'ServiceMonitor');
    expect(monitors.length).toBeGreaterThan(0);
    for (const monitor of monitors) {
      const spec = monitor.spec as {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string }[];
        jobLabel: string;
      };
      const matching = services.filter((s) =>
        Object.entries(spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v),
      );
      expect({ monitor: monitor.metadata.name, services: matching.length }).toEqual({
        monitor: monitor.metadata.name,
        services: 1,
      });
      const service = matching[0]!;
      const portNames = (service.spec as { ports: { name: string }[] }).ports.map((p) => p.name);
      for (const endpoint of spec.endpoints) expect(portNames).toContain(endpoint.port);
      // the job label comes from the Service's label named by jobLabel
      expect(service.metadata.labels?.[spec.jobLabel]).toBeDefined();
    }
  });

  test('every Service selects the pods of one rendered workload, on a port name its container declares', () => {
    const workloads = ofKind(get(name), 'Deployment');
    for (const service of ofKind(get(name), 'Service')) {
      const spec = service.spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
      const matching = workloads.filter((w) => {
        const labels = podLabels(w);
        return Object.entries(spec.selector).every(([k, v]) => labels[k] === v);
      });
      expect({ service: service.metadata.name, workloads: matching.length }).toEqual({
        service: service.metadata.name,
        workloads: 1,
      });
      const ports = podSpec(matching[0]!).containers.flatMap((c) => (c.ports ?? []).map((p) => p.name));
      for (const port of spec.ports) expect(ports).toContain(port.targetPort);
    }
  });

  test("every scraped job is named as in Compose's prometheus.yml, so rules and dashboards match", () => {
    const jobs = new Set(scrapeJobNames(readFileSync(paths.prometheusConfig, 'utf8')));
    const services = ofKind(get(name), 'Service');
    for (const monitor of ofKind(get(name), 'ServiceMonitor')) {
      const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; jobLabel: string };
      const service = services.find((s) =>
        Object.entries(spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v),
      )!;
      expect(jobs).toContain(service.metadata.labels?.[spec.jobLabel]);
    }
  });

  test('every pod runs as non-root on a read-only root filesystem, without privilege escalation', () => {
    for (const workload of [...ofKind(get(name), 'Deployment'), ...ofKind(get(name), 'CronJob')]) {
      const pod = podSpec(workload);
      expect({ workload: workload.metadata.name, runAsNonRoot: pod.securityContext?.runAsNonRoot }).toEqual({
        workload: workload.metadata.name,
        runAsNonRoot: true,
      });
      for (const c of pod.containers) {
        expect({ container: c.name, ...c.securityContext }).toEqual(
          expect.objectContaining({
            container: c.name,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            runAsNonRoot: true,
          }),
        );
        expect(c.resources?.requests).toBeDefined();
        expect(c.resources?.limits?.memory).toBeDefined();
      }
    }
  });

  test('secrets reach the services only as files from a Secret volume, never as env values', () => {
    for (const workload of reelwatchWorkloads(get(name))) {
      const pod = podSpec(workload);
      for (const c of pod.containers) {
        const secretish = (c.env ?? []).filter((e) =>
          /(DATABASE_URL|REPLICA_URL|REDIS_URL|DATA_SOURCE_NAME|DATA_SOURCE_PASS|PASSWORD|BASIC_AUTH|TOKEN)$/.test(
            e.name,
          ),
        );
        expect({ container: c.name, secretish }).toEqual({ container: c.name, secretish: [] });
        const files = (c.env ?? []).filter((e) => e.name.endsWith('_FILE'));
        const secretVolume = pod.volumes?.find((v) => v.secret);
        for (const file of files) {
          const key = file.value!.split('/').at(-1);
          expect(secretVolume?.secret?.items?.map((i) => i.path)).toContain(key);
        }
      }
    }
  });

  test('every Deployment of a service has a PodDisruptionBudget selecting its pods', () => {
    const pdbs = ofKind(get(name), 'PodDisruptionBudget');
    for (const deployment of ofKind(get(name), 'Deployment').filter((d) => component(d) !== 'pushgateway')) {
      const labels = podLabels(deployment);
      const covering = pdbs.filter((p) =>
        Object.entries(dig(p, 'spec.selector.matchLabels') as Record<string, string>).every(
          ([k, v]) => labels[k] === v,
        ),
      );
      expect({ deployment: deployment.metadata.name, pdbs: covering.length }).toEqual({
        deployment: deployment.metadata.name,
        pdbs: 1,
      });
    }
  });

  test('ingestion never runs more consumers than the topic has partitions', () => {
    const values = set.files.length > 0 ? parse(readFileSync(set.files[0]!, 'utf8')) : {};
    const defaults = parse(readFileSync(`${paths.chart}/values.yaml`, 'utf8'));
    const partitions = (dig(values, 'kafka.partitions') ?? dig(defaults, 'kafka.partitions')) as number;
    const ingestion = ofKind(get(name), 'Deployment').find((d) => component(d) === 'ingestion');
    const scaled = ofKind(get(name), 'ScaledObject')[0];
    if (scaled) {
      expect(dig(scaled, 'spec.maxReplicaCount')).toBeLessThanOrEqual(partitions);
      expect(dig(ingestion, 'spec.replicas')).toBeUndefined();
    } else {
      expect(dig(ingestion, 'spec.replicas')).toBeLessThanOrEqual(partitions);
    }
  });
});

test('the services image is the one compose/docker-compose.yml builds, tag included', () => {
  const compose = parse(readFileSync(paths.compose, 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string }>;
  };
  // ${REELWATCH_VERSION:-0.1.0} -> its default
  const image = compose.services.ingestion!.image!.replace(/\$\{[A-Z_]+:-([^}]+)\}/g, '$1');
  const workloads = reelwatchWorkloads(get('default'));
  expect(workloads.length).toBe(6);
  for (const w of workloads) for (const c of podSpec(w).containers) expect(c.image).toBe(image);
  const pushgateway = ofKind(get('default'), 'Deployment').find((d) => component(d) === 'pushgateway')!;
  expect(podSpec(pushgateway).containers[0]!.image).toBe(compose.services.pushgateway!.image);
});

test('a replica count above the partition count fails the render, naming both', () => {
  const set = sets[0]!;
  expect(() => render(set, ['kafka.partitions=3', 'ingestion.replicas=4'])).toThrow(
    /ingestion.replicas \(4\) exceeds kafka.partitions \(3\)/,
  );
  expect(() =>
    render(set, [
      'kafka.partitions=3',
      'ingestion.autoscaling.enabled=true',
      'ingestion.autoscaling.maxReplicas=5',
    ]),
  ).toThrow(/maxReplicas \(5\) exceeds kafka.partitions \(3\)/);
});

test('the optional operators objects render and pass their schemas', () => {
  const objects = render(sets[0]!, [
    'kafka.strimzi.create=true',
    'postgresql.cloudnativepg.create=true',
    'ingestion.autoscaling.enabled=true',
  ]);
  const kinds = objects.map((o) => o.kind);
  for (const kind of ['Kafka', 'KafkaNodePool', 'KafkaTopic', 'Cluster', 'ScaledObject'])
    expect(kinds).toContain(kind);
  expect(objects.map((o) => validateStrict(o)).filter((r) => r.problems.length > 0)).toEqual([]);
  const topic = objects.find((o) => o.kind === 'KafkaTopic')!;
  expect((topic.spec as { partitions: number }).partitions).toBe(6);
  // the services use the Strimzi cluster's bootstrap service
  const ingestion = objects.find((o) => o.kind === 'Deployment' && component(o) === 'ingestion')!;
  const brokers = podSpec(ingestion).containers[0]!.env!.find((e) => e.name === 'KAFKA_BROKERS')!.value;
  expect(brokers).toBe(`${objects.find((o) => o.kind === 'Kafka')!.metadata.name}-kafka-bootstrap:9092`);
});
