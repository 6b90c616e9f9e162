import { knownKinds, unreadProperties, validateStrict } from '../src';

// The strictness added on top of kubernetes-models: a field the schema does not declare is a
// problem, while maps (labels, data, resources) and declared fields are not.

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            ports: [{ name: 'http', containerPort: 8080 }],
            resources: { limits: { memory: '1Gi' } },
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' } } as Record<string, unknown>,
          },
        ],
      },
    },
  },
});

test('validateStrict accepts a valid Deployment with labels and resources maps', () => {
  expect(validateStrict(deployment())).toEqual({
    object: 'Deployment web',
    schema: 'kubernetes-models',
    problems: [],
  });
});

test('validateStrict rejects a misspelt field that the plain validator lets through', () => {
  const d = deployment();
  const c = d.spec.template.spec.containers[0]! as Record<string, unknown>;
  c.readinessprobe = c.readinessProbe;
  delete c.readinessProbe;
  expect(validateStrict(d).problems).toEqual([
    { path: '/spec/template/spec/containers/0/readinessprobe', message: 'unknown field (not in the schema)' },
  ]);
});

test('validateStrict reports schema errors such as a wrong type', () => {
  const d = deployment() as unknown as { spec: { replicas: unknown } };
  d.spec.replicas = 'two';
  expect(validateStrict(d as never).problems).toEqual(
    expect.arrayContaining([expect.objectContaining({ path: '/spec/replicas' })]),
  );
});

test('validateStrict rejects an unknown field in a CRD (ServiceMonitor endpoint)', () => {
  const monitor = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, endpoints: [{ port: 'http', scrapeInterval: '15s' }] },
  };
  expect(validateStrict(monitor).problems).toEqual([
    { path: '/spec/endpoints/0/scrapeInterval', message: 'unknown field (not in the schema)' },
  ]);
});

test("validateStrict checks Strimzi and CloudNativePG objects against the package's own schemas", () => {
  const topic = {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaTopic',
    metadata: { name: 'movie-events', labels: { 'strimzi.io/cluster': 'k' } },
    spec: { partitions: 6, replica: 3 },
  };
  const result = validateStrict(topic);
  expect(result.schema).toBe('own (no published schema on npm)');
  expect(result.problems).toEqual([{ path: '/spec/replica', message: 'unknown field (not in the schema)' }]);
  const cluster = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'pg' },
    spec: { instances: '2' },
  };
  expect(validateStrict(cluster).problems).toEqual([
    { path: '/spec/instances', message: 'must be an integer' },
  ]);
});

test('validateStrict names a kind it has no schema for', () => {
  const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x' } };
  expect(validateStrict(ingress).problems[0]?.message).toMatch(/no schema for networking.k8s.io\/v1 Ingress/);
});

test('unreadProperties treats enumerated objects as maps and reports unread keys of the others', () => {
  const value = { a: 1, b: { c: 2 }, m: { any: 'thing' } };
  const unread = unreadProperties(value, (v) => {
    const p = v as typeof value;
    void p.a;
    void Object.keys(p.m);
  });
  expect(unread).toEqual(['/b']);
});

test('knownKinds lists the published and the own schemas', () => {
  const kinds = knownKinds();
  expect(kinds.published).toEqual(
    expect.arrayContaining([
      'apps/v1 Deployment',
      'monitoring.coreos.com/v1 PrometheusRule',
      'keda.sh/v1alpha1 ScaledObject',
    ]),
  );
  expect(kinds.own).toEqual(
    expect.arrayContaining(['kafka.strimzi.io/v1beta2 Kafka', 'postgresql.cnpg.io/v1 Cluster']),
  );
});
