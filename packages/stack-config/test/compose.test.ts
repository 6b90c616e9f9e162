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
    expect(built.length).toBe(6);
    for (const [name, service] of built) {
      expect({ name, build: service.build }).toEqual({
        name,
        build: { context: '..', dockerfile: 'compose/Dockerfile' },
      });
      if (name === 'training-snapshot') continue; // a job, not a server
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
