import type { SchemaProblem } from './strict-schema';

// Strimzi and CloudNativePG publish their CRDs only in their own repositories and release assets,
// not on npm, so no precompiled validator can be installed here. These are OUR schemas of the
// fields the chart sets, written from the operators' API references (Strimzi 0.45 v1beta2,
// CloudNativePG 1.25 postgresql.cnpg.io/v1), strict in the same way: an undeclared field, a
// missing required one or a wrong type is a problem. They prove the chart renders what we meant,
// not that the operator accepts it; the chart README says so.

type Shape =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'scalar'
  | { enum: readonly string[] }
  | { pattern: RegExp }
  | { array: Shape; minItems?: number }
  | { map: Shape }
  | { object: Record<string, Shape>; required?: readonly string[]; min?: number };

function check(value: unknown, shape: Shape, at: string, out: SchemaProblem[]): void {
  const fail = (message: string) => out.push({ path: at || '/', message });
  if (shape === 'string') {
    if (typeof value !== 'string') fail('must be a string');
  } else if (shape === 'integer') {
    if (!Number.isInteger(value)) fail('must be an integer');
  } else if (shape === 'boolean') {
    if (typeof value !== 'boolean') fail('must be a boolean');
  } else if (shape === 'scalar') {
    if (!['string', 'number', 'boolean'].includes(typeof value)) fail('must be a string, number or boolean');
  } else if ('enum' in shape) {
    if (typeof value !== 'string' || !shape.enum.includes(value))
      fail(`must be one of ${shape.enum.join(', ')}`);
  } else if ('pattern' in shape) {
    if (typeof value !== 'string' || !shape.pattern.test(value)) fail(`must match ${shape.pattern}`);
  } else if ('array' in shape) {
    if (!Array.isArray(value)) {
      fail('must be an array');
      return;
    }
    if (value.length < (shape.minItems ?? 0)) fail(`must have at least ${shape.minItems} items`);
    for (const [i, item] of value.entries()) check(item, shape.array, `${at}/${i}`, out);
  } else if ('map' in shape) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      fail('must be an object');
      return;
    }
    for (const [k, v] of Object.entries(value)) check(v, shape.map, `${at}/${k}`, out);
  } else {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      fail('must be an object');
      return;
    }
    const record = value as Record<string, unknown>;
    for (const key of shape.required ?? [])
      if (!(key in record)) out.push({ path: `${at}/${key}`, message: 'required' });
    for (const [k, v] of Object.entries(record)) {
      const field = shape.object[k];
      if (field === undefined) out.push({ path: `${at}/${k}`, message: 'unknown field (not in the schema)' });
      else check(v, field, `${at}/${k}`, out);
    }
  }
}

const DNS_LABEL = { pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/ } as const;
const QUANTITY = { pattern: /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/ } as const;

const metadata: Shape = {
  object: {
    name: DNS_LABEL,
    namespace: DNS_LABEL,
    labels: { map: 'string' },
    annotations: { map: 'string' },
  },
  required: ['name'],
};

function resource(apiVersion: string, kind: string, spec: Shape): Shape {
  return {
    object: { apiVersion: { enum: [apiVersion] }, kind: { enum: [kind] }, metadata, spec },
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
  };
}

export interface OperatorSchema {
  apiVersion: string;
  kind: string;
  check(object: unknown): SchemaProblem[];
}

function schema(apiVersion: string, kind: string, spec: Shape): OperatorSchema {
  const shape = resource(apiVersion, kind, spec);
  return {
    apiVersion,
    kind,
    check(object) {
      const out: SchemaProblem[] = [];
      check(object, shape, '', out);
      return out;
    },
  };
}

const STRIMZI = 'kafka.strimzi.io/v1beta2';

/** One entry per operator kind the chart can render. */
export const OPERATOR_SCHEMAS: readonly OperatorSchema[] = [
  schema(STRIMZI, 'KafkaNodePool', {
    object: {
      replicas: 'integer',
      roles: { array: { enum: ['controller', 'broker'] }, minItems: 1 },
      storage: {
        object: {
          type: { enum: ['ephemeral', 'persistent-claim', 'jbod'] },
          size: QUANTITY,
          class: 'string',
          deleteClaim: 'boolean',
        },
        required: ['type'],
      },
    },
    required: ['replicas', 'roles', 'storage'],
  }),
  schema(STRIMZI, 'Kafka', {
    object: {
      kafka: {
        object: {
          version: { pattern: /^\d+\.\d+\.\d+$/ },
          metadataVersion: 'string',
          listeners: {
            array: {
              object: {
                name: { pattern: /^[a-z0-9]{1,11}$/ },
                port: 'integer',
                type: { enum: ['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'] },
                tls: 'boolean',
              },
              required: ['name', 'port', 'type', 'tls'],
            },
            minItems: 1,
          },
          config: { map: 'scalar' },
        },
        required: ['listeners'],
      },
      entityOperator: { object: { topicOperator: { object: {} }, userOperator: { object: {} } } },
    },
    required: ['kafka'],
  }),
  schema(STRIMZI, 'KafkaTopic', {
    object: { topicName: 'string', partitions: 'integer', replicas: 'integer', config: { map: 'scalar' } },
  }),
  schema('postgresql.cnpg.io/v1', 'Cluster', {
    object: {
      instances: 'integer',
      imageName: 'string',
      postgresql: {
        object: { parameters: { map: 'string' }, shared_preload_libraries: { array: 'string' } },
      },
      bootstrap: {
        object: {
          initdb: {
            object: {
              database: 'string',
              owner: 'string',
              secret: { object: { name: 'string' }, required: ['name'] },
            },
          },
        },
      },
      storage: { object: { size: QUANTITY, storageClass: 'string' }, required: ['size'] },
    },
    required: ['instances'],
  }),
];
