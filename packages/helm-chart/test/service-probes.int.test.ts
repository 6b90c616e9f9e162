import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { producerConfigSchema } from '@reelwatch/event-producer';
import { ingestionConfigSchema } from '@reelwatch/ingestion';
import { configSchema as pgExporterConfigSchema } from '@reelwatch/pg-exporter';
import { monitorConfigSchema } from '@reelwatch/task-monitor';
import { workerConfigSchema } from '@reelwatch/task-worker';
import {
  freePort,
  type ManagedProcess,
  makeTempDir,
  removeTempDir,
  spawnChild,
  waitFor,
} from '@reelwatch/testkit';
import { trainingSnapshotConfigSchema } from '@reelwatch/training-snapshot';
import {
  type Container,
  component,
  ofKind,
  paths,
  podSpec,
  reelwatchWorkloads,
  render,
  SERVICE_COMPONENTS,
} from './rendered';

// The probes and env of every rendered service against the service itself: each container's
// command is run from the repo (the image's /app is the repo's layout) with the env the chart
// gives it, the secret files replaced by unreachable addresses, and its probe paths requested on
// the port the probes name. The services start their HTTP server before their dependencies
// answer, and reject unknown variables of their own prefix, so a wrong name fails here too.

const SCHEMAS: Record<string, { shape: Record<string, unknown> }> = {
  'event-producer': producerConfigSchema,
  ingestion: ingestionConfigSchema,
  'pg-exporter': pgExporterConfigSchema,
  'task-worker': workerConfigSchema,
  'task-monitor': monitorConfigSchema,
  'training-snapshot': trainingSnapshotConfigSchema,
};

/** Env vars the chart sets for the service's configuration, as (name, value). */
const envOf = (c: Container) => (c.env ?? []).map((e) => [e.name, e.value ?? ''] as const);

/** The name of the env var carrying the HTTP port, by service. */
const PORT_VARS: Record<string, string> = {
  'event-producer': 'PRODUCER_HTTP_PORT',
  ingestion: 'INGESTION_HTTP_PORT',
  'pg-exporter': 'PG_EXPORTER_WEB_LISTEN_ADDRESS',
  'task-worker': 'TASK_WORKER_METRICS_PORT',
  'task-monitor': 'TASK_MONITOR_PORT',
};

// what a secret file holds in this test: addresses nothing listens on
const UNREACHABLE: Record<string, string> = {
  'database-url': 'postgres://reelwatch@127.0.0.1:1/reelwatch',
  'replica-url': 'postgres://reelwatch@127.0.0.1:1/reelwatch',
  'redis-url': 'redis://127.0.0.1:1',
  'exporter-password': 'not-a-secret',
  'task-monitor-basic-auth': 'user:not-a-secret',
};

const objects = render({ name: 'default', files: [] }, ['taskMonitor.basicAuth=true']);
const workloads = reelwatchWorkloads(objects);

test('the rendered workloads are the five services and the training-snapshot job', () => {
  expect(workloads.map((w) => component(w)).sort()).toEqual(
    [...SERVICE_COMPONENTS, 'training-snapshot'].sort(),
  );
});

test.each(workloads.map((w) => [component(w)!, w] as const))(
  'every env var the chart sets for %s is a key of its configuration schema (or KEY_FILE)',
  (name, workload) => {
    const keys = Object.keys(SCHEMAS[name]!.shape);
    const unknown = envOf(podSpec(workload).containers[0]!)
      .map(([env]) => env)
      .filter((env) => !keys.includes(env) && !keys.includes(env.replace(/_FILE$/, '')));
    expect(unknown).toEqual([]);
  },
);

test.each(
  SERVICE_COMPONENTS.map(
    (name) => [name, ofKind(objects, 'Deployment').find((d) => component(d) === name)!] as const,
  ),
)('%s serves its probe paths on the port the probes name', async (name, deployment) => {
  const c = podSpec(deployment).containers[0]!;
  const http = c.ports!.find((p) => p.name === 'http')!;
  const probes = [c.startupProbe, c.livenessProbe, c.readinessProbe].map((p) => p?.httpGet);
  for (const p of probes) expect(p?.port).toBe('http');
  // the port the service listens on, as configured by the chart, is the container port the probes use
  const portValue = envOf(c).find(([env]) => env === PORT_VARS[name])![1];
  expect(Number(portValue.replace(/^.*:/, ''))).toBe(http.containerPort);

  const dir = makeTempDir(`helm-probe-${name}`);
  let child: ManagedProcess | undefined;
  try {
    const port = await freePort();
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TZ: 'UTC' };
    for (const [key, value] of envOf(c)) {
      if (key.endsWith('_FILE')) {
        const file = path.join(dir, 'secrets', path.basename(value));
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, UNREACHABLE[path.basename(value)] ?? 'unset');
        env[key] = file;
      } else if (key === PORT_VARS[name]) {
        env[key] = value.replace(/\d+$/, String(port));
      } else if (key === 'KAFKA_BROKERS') {
        env[key] = '127.0.0.1:1';
      } else {
        env[key] = value;
      }
    }
    const [command, ...args] = c.command!;
    expect(command).toBe('node');
    if (!existsSync(path.join(paths.root, args[0]!)))
      throw new Error(`${args[0]} is missing: run pnpm build first`);
    child = spawnChild({ name, command: process.execPath, args, env, cwd: paths.root });
    const status = async (p: string) =>
      (await fetch(`http://127.0.0.1:${port}${p}`, { signal: AbortSignal.timeout(2000) })).status;
    await waitFor(
      async () => {
        if (child!.hasExited) throw new Error(`${name} exited: ${child!.outputTail()}`);
        return (await status('/healthz')) === 200;
      },
      { timeoutMs: 30_000, what: `${name} /healthz on 127.0.0.1:${port}` },
    );
    // liveness and startup: 200; readiness: served (200 ready, 503 not ready: nothing answers here)
    expect(await status(probes[0]!.path)).toBe(200);
    expect(await status(probes[1]!.path)).toBe(200);
    expect([200, 503]).toContain(await status(probes[2]!.path));
    expect(await status('/metrics')).toBe(200);
  } finally {
    await child?.stop('SIGTERM', 10_000);
    removeTempDir(dir);
  }
});
