// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose's ${VAR} interpolation is what these tests feed in
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  composeProblems,
  composeSchemaErrors,
  interpolate,
  isPinnedImage,
  loadComposeFile,
  parseEnvFile,
  stackPaths,
  variableUses,
} from '@reelwatch/stack-config';

const paths = stackPaths(path.resolve(__dirname, '../../..'));
const options = {
  composeFile: paths.composeFile,
  envExampleFile: paths.composeEnvExample,
  scalable: ['ingestion', 'task-worker'],
  profiles: ['app', 'monitoring'],
};
const env = parseEnvFile(readFileSync(paths.composeEnvExample, 'utf8'));

describe('compose/docker-compose.yml', () => {
  test('passes the Compose specification schema and our rules', () => {
    expect(composeProblems(options)).toEqual([]);
  });

  test('the schema check rejects an unknown service key and a wrongly typed value', () => {
    const compose = interpolate(loadComposeFile(paths.composeFile), env);
    const broken = structuredClone(compose);
    (broken.services.redis as Record<string, unknown>).helthcheck = { test: ['CMD', 'true'] };
    (broken.services.kafka as Record<string, unknown>).restart = 42;
    const errors = composeSchemaErrors(broken);
    expect(errors.some((e) => e.includes('/services/redis') && e.includes('additional properties'))).toBe(
      true,
    );
    expect(errors.some((e) => e.includes('/services/kafka/restart'))).toBe(true);
  });

  test('has the services of the issue, monitoring and app parts in their profiles', () => {
    const compose = loadComposeFile(paths.composeFile);
    const byProfile = (p: string) =>
      Object.entries(compose.services)
        .filter(([, s]) => s.profiles?.includes(p))
        .map(([n]) => n)
        .sort();
    expect(byProfile('monitoring')).toEqual([
      'alert-sink',
      'alertmanager',
      'grafana',
      'prometheus',
      'pushgateway',
    ]);
    expect(byProfile('app')).toEqual(
      [
        'event-producer',
        'ingestion',
        'kafka',
        'kafka-exporter',
        'kafka-init',
        'pg-exporter',
        'postgres-primary',
        'postgres-replica',
        'redis',
        'task-monitor',
        'task-traffic',
        'task-worker',
        'training-snapshot',
      ].sort(),
    );
    // a plain `docker compose up` runs both parts
    expect(env.get('COMPOSE_PROFILES')).toBe('app,monitoring');
  });

  test('every service built from the repository uses the one Dockerfile and checks /healthz', () => {
    const compose = interpolate(loadComposeFile(paths.composeFile), env);
    const built = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
    expect(built.length).toBe(7);
    for (const [name, service] of built) {
      expect({ name, build: service.build }).toEqual({
        name,
        build: { context: '..', dockerfile: 'compose/Dockerfile' },
      });
      if (name === 'training-snapshot') {
        // a job, not a server: the image's healthcheck reads the heartbeat file its loop writes
        const heartbeat = (service.environment as Record<string, string>).HEALTHCHECK_HEARTBEAT_FILE;
        expect(heartbeat).toMatch(/^\/tmp\/reelwatch\//);
        expect((service.command as string[]).join(' ')).toContain(heartbeat);
        continue;
      }
      const healthUrl = (service.environment as Record<string, string>).HEALTHCHECK_URL;
      expect({ name, healthUrl }).toEqual({
        name,
        healthUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/healthz$/),
      });
    }
    const dockerfile = readFileSync(path.join(paths.root, 'compose', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
  });

  test('`up --wait` can succeed: every long-running service has a healthcheck, every one-shot is awaited', () => {
    // Compose 2.x before 5.0 fails `up --wait` with "has no healthcheck configured" on a service
    // whose healthcheck is disabled, and every version fails it with "exited (0)" on a one-shot that
    // no service depends on with service_completed_successfully (checked on a real Compose 2.26).
    const compose = interpolate(loadComposeFile(paths.composeFile), env);
    const awaitedOneShots = new Set(
      Object.values(compose.services).flatMap((s) =>
        Object.entries((s.depends_on ?? {}) as Record<string, { condition?: string }>)
          .filter(([, d]) => d.condition === 'service_completed_successfully')
          .map(([n]) => n),
      ),
    );
    for (const [name, service] of Object.entries(compose.services)) {
      const healthcheck = (service.healthcheck ?? {}) as { disable?: boolean; test?: unknown };
      expect({ name, disabled: healthcheck.disable === true }).toEqual({ name, disabled: false });
      if (service.restart === 'no') {
        expect({ name, awaited: awaitedOneShots.has(name) }).toEqual({ name, awaited: true });
        continue;
      }
      // its own test, or the image's HEALTHCHECK (our Dockerfile has one)
      const built = service.build !== undefined;
      expect({ name, healthcheck: healthcheck.test !== undefined || built }).toEqual({
        name,
        healthcheck: true,
      });
    }
  });

  test("every Node image is the Dockerfile's pinned Node 22 LTS; pnpm comes from packageManager, not corepack", () => {
    const compose = loadComposeFile(paths.composeFile);
    const dockerfile = readFileSync(path.join(paths.root, 'compose', 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1] as string);
    const nodeImage = bases.find((b) => b.startsWith('node:'));
    expect(nodeImage).toMatch(/^node:22\.\d+\.\d+-bookworm-slim$/);
    const nodeImages = Object.values(compose.services)
      .map((s) => s.image as string)
      .filter((image) => image.startsWith('node:'));
    expect(nodeImages.length).toBe(2); // task-traffic, alert-sink
    expect(new Set(nodeImages)).toEqual(new Set([nodeImage]));
    expect(dockerfile).not.toMatch(/corepack enable/);
    expect(dockerfile).toMatch(/packageManager/);
    const root = JSON.parse(readFileSync(path.join(paths.root, 'package.json'), 'utf8'));
    expect(root.packageManager).toMatch(/^pnpm@\d+\.\d+\.\d+$/);
    expect(root.engines.node).toBe('>=20.19.0');
  });

  test('the runtime image installs only the services: no tool-only package is copied or installed', () => {
    const dockerfile = readFileSync(path.join(paths.root, 'compose', 'Dockerfile'), 'utf8');
    for (const tool of ['stack', 'stack-config', 'dashboards', 'testkit', 'compose-test'])
      expect(dockerfile).not.toMatch(new RegExp(`COPY packages/${tool}[ /]`));
    expect(dockerfile).not.toMatch(/^COPY packages \S+$/m);
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile --prod/);
  });

  test('alert-sink listens on the port of the README table, and Alertmanager sends there', () => {
    const compose = interpolate(loadComposeFile(paths.composeFile), env);
    const sink = compose.services['alert-sink'] as { environment: Record<string, string | number> };
    expect(String(sink.environment.ALERT_SINK_PORT)).toBe('9095');
    const alertmanager = readFileSync(
      path.join(paths.root, 'compose', 'alertmanager', 'alertmanager.yml'),
      'utf8',
    );
    expect(alertmanager).toContain('url: http://alert-sink:9095/alerts');
    expect(alertmanager).not.toMatch(/alert-sink:(?!9095)\d+/);
  });

  test('Prometheus, Grafana and Alertmanager get what the issue asks for', () => {
    const compose = loadComposeFile(paths.composeFile);
    const prometheus = compose.services.prometheus as { command: string[] };
    expect(prometheus.command).toContain('--web.enable-lifecycle');
    expect(prometheus.command.some((c) => c.startsWith('--storage.tsdb.retention.time='))).toBe(true);
    const grafana = compose.services.grafana as { environment: Record<string, string> };
    expect(grafana.environment.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
    expect(grafana.environment.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
    const home = grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH as string;
    const homeInRepo = path.join(
      paths.grafanaDir,
      'dashboards',
      path.relative('/etc/grafana/dashboards', home),
    );
    expect(JSON.parse(readFileSync(homeInRepo, 'utf8')).uid).toBe('reelwatch-pipeline-overview');
  });

  test('passwords have no defaults: every one is required from .env', () => {
    const secrets = variableUses(loadComposeFile(paths.composeFile)).filter((u) =>
      /PASSWORD|AUTH/.test(u.name),
    );
    expect(secrets.length).toBeGreaterThan(5);
    for (const use of secrets)
      expect({ name: use.name, operator: use.operator }).toEqual({ name: use.name, operator: ':?' });
  });

  test('the rules catch a latest image, a missing mount, an unknown variable and an unhealthy dependency', () => {
    const compose = loadComposeFile(paths.composeFile);
    expect(isPinnedImage('redis')).toBe(false);
    expect(isPinnedImage('redis:latest')).toBe(false);
    expect(isPinnedImage('redis:7.2.5')).toBe(true);
    expect(isPinnedImage('localhost:5000/redis')).toBe(false);
    expect(isPinnedImage(`redis@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(variableUses({ a: 'x ${ONE:-1} $TWO $$THREE ${FOUR:?no}' }).map((u) => u.name)).toEqual([
      'ONE',
      'TWO',
      'FOUR',
    ]);
    expect(interpolate({ a: '${X:-d} ${Y} $$Z' }, new Map([['Y', 'y']]))).toEqual({ a: 'd y $Z' });
    expect(() => interpolate({ a: '${X:?set X}' }, new Map())).toThrow(
      'required variable X is not set: set X',
    );
    expect(compose.services['kafka-init']?.restart).toBe('no');
  });
});
