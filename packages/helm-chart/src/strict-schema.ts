import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { OPERATOR_SCHEMAS } from './operator-schemas';

// kubernetes-models ships precompiled validators of the Kubernetes OpenAPI and of the CRDs (KEDA,
// prometheus-operator), but they accept fields no schema declares: a misspelt `readinessprobe`
// passes, and the API server would drop it silently. Strictness is added from the outside: the
// object is validated through a Proxy that records which properties the validator reads. A
// compiled validator reads every property its schema declares; a property it never read and that
// sits in an object whose keys it never enumerated (maps such as labels are enumerated) is unknown.

interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(this: unknown): void };
}

/** Every kind the chart may render with a published schema on npm, one entry each. */
const MODELS: readonly ModelClass[] = [
  ConfigMap,
  CronJob,
  Deployment,
  PodDisruptionBudget,
  PodMonitor,
  PrometheusRule,
  ScaledObject,
  Secret,
  Service,
  ServiceMonitor,
];

export type SchemaSource = 'kubernetes-models' | 'own (no published schema on npm)';

export interface SchemaProblem {
  /** JSON pointer into the object. */
  path: string;
  message: string;
}

export interface StrictResult {
  object: string;
  schema: SchemaSource;
  problems: SchemaProblem[];
}

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  return MODELS.find((m) => m.apiVersion === apiVersion && m.kind === kind);
}

/** Which validators exist: `apiVersion kind` for the published and for our own. */
export function knownKinds(): { published: string[]; own: string[] } {
  return {
    published: MODELS.map((m) => `${m.apiVersion} ${m.kind}`),
    own: OPERATOR_SCHEMAS.map((s) => `${s.apiVersion} ${s.kind}`),
  };
}

interface Tracking {
  path: string;
  read: Set<string>;
  enumerated: boolean;
}

/** Runs `check` on a Proxy of `value` and returns the properties it never looked at. */
export function unreadProperties(value: unknown, check: (proxy: unknown) => void): string[] {
  const proxies = new WeakMap<object, unknown>();
  const tracked: [object, Tracking][] = [];
  const wrap = (target: unknown, at: string): unknown => {
    if (target === null || typeof target !== 'object') return target;
    const known = proxies.get(target);
    if (known) return known;
    const info: Tracking = { path: at, read: new Set(), enumerated: false };
    tracked.push([target, info]);
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        const v = Reflect.get(t, key, receiver);
        if (typeof key !== 'string' || !Object.hasOwn(t, key)) return v;
        info.read.add(key);
        return wrap(v, `${at}/${key}`);
      },
      has(t, key) {
        if (typeof key === 'string') info.read.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        info.enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  check(wrap(value, ''));
  const unread: string[] = [];
  for (const [target, info] of tracked) {
    if (Array.isArray(target) || info.enumerated) continue;
    for (const key of Object.keys(target)) if (!info.read.has(key)) unread.push(`${info.path}/${key}`);
  }
  return [...new Set(unread)].sort();
}

function errorsOf(err: unknown): SchemaProblem[] {
  const list = (err as { errors?: { instancePath?: string; message?: string }[] }).errors;
  if (Array.isArray(list) && list.length > 0) {
    return list.map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'invalid' }));
  }
  return [{ path: '/', message: (err as Error).message }];
}

/** Validates one object against its schema and rejects every field the schema does not declare. */
export function validateStrict(object: {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
}): StrictResult {
  const name = `${String(object.kind)} ${String(object.metadata?.name)}`;
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const model = modelFor(apiVersion, kind);
  if (model) {
    const problems: SchemaProblem[] = [];
    const unread = unreadProperties(object, (proxy) => {
      try {
        model.prototype.validate.call(proxy);
      } catch (err) {
        problems.push(...errorsOf(err));
      }
    });
    problems.push(...unread.map((path) => ({ path, message: 'unknown field (not in the schema)' })));
    return { object: name, schema: 'kubernetes-models', problems };
  }
  const own = OPERATOR_SCHEMAS.find((s) => s.apiVersion === apiVersion && s.kind === kind);
  if (own) return { object: name, schema: 'own (no published schema on npm)', problems: own.check(object) };
  return {
    object: name,
    schema: 'kubernetes-models',
    problems: [
      { path: '/', message: `no schema for ${apiVersion} ${kind}: add it to MODELS or OPERATOR_SCHEMAS` },
    ],
  };
}
