import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { COMPONENTS, DEFAULT_PORTS, PORT_NAMES } from '../../src/components';
import { repoPaths } from '../../src/paths';
import { REPO_ROOT } from '../support';

interface ComposeService {
  environment?: Record<string, unknown> | string[];
  ports?: string[];
  healthcheck?: unknown;
}

const paths = repoPaths(REPO_ROOT);
const composeText = readFileSync(paths.composeFile, 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

function environmentKeys(service: ComposeService): string[] {
  const env = service.environment ?? {};
  return (Array.isArray(env) ? env.map((e) => e.split('=')[0] ?? '') : Object.keys(env)).sort();
}

describe('the component list', () => {
  test('has one file per component in src/components, and every component file is in the list', () => {
    const shared = new Set(['index.ts', 'component.ts', 'support.ts', 'postgres.ts', 'service.ts']);
    const files = readdirSync(path.join(__dirname, '../../src/components'))
      .filter((f) => !shared.has(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(COMPONENTS.map((c) => c.name).sort()).toEqual(files);
  });

  test('names each component once', () => {
    const names = COMPONENTS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test('gives every native port a distinct default, in list order for --port-base', () => {
    expect(PORT_NAMES).toEqual(COMPONENTS.filter((c) => c.nativePort !== undefined).map((c) => c.name));
    const ports = Object.values(DEFAULT_PORTS);
    expect(new Set(ports).size).toBe(ports.length);
  });
});

describe('the component list against compose/docker-compose.yml', () => {
  test('names every Compose service: a component, or a helper of one', () => {
    const declared = COMPONENTS.flatMap((c) => [c.name, ...(c.compose.helpers ?? [])]).sort();
    expect(Object.keys(services).sort()).toEqual(declared);
  });

  test.each(COMPONENTS.map((c) => [c.name, c]))('%s: the environment keys Compose sets', (name, c) => {
    expect(environmentKeys(services[name] ?? {})).toEqual([...c.compose.environment].sort());
  });

  test.each(COMPONENTS.map((c) => [c.name, c]))('%s: whether Compose has a healthcheck', (name, c) => {
    expect(services[name]?.healthcheck !== undefined).toBe(c.compose.healthcheck);
  });

  test.each(COMPONENTS.map((c) => [c.name, c]))('%s: the host port Compose publishes', (name, c) => {
    const expected =
      c.compose.published && c.compose.port !== undefined
        ? [`\${BIND_ADDRESS:-127.0.0.1}:\${${c.compose.published}:-${c.compose.port}}:${c.compose.port}`]
        : undefined;
    expect(services[name]?.ports).toEqual(expected);
  });

  test.each(COMPONENTS.filter((c) => c.compose.port !== undefined).map((c) => [c.name, c]))(
    '%s: the port it listens on in Compose is the one others reach it at or it probes',
    (name, c) => {
      const port = String(c.compose.port);
      const own = JSON.stringify(services[name]);
      const reached =
        composeText.includes(`${name}:${port}`) ||
        own.includes(`127.0.0.1:${port}`) ||
        own.includes(`localhost:${port}`) ||
        Object.values(services[name]?.environment ?? {})
          .map(String)
          .includes(port);
      expect(reached).toBe(true);
    },
  );
});

describe('the component list against prometheus/prometheus.yml', () => {
  test('every scraped component is a job, and every job a scraped component', () => {
    const config = parse(readFileSync(paths.prometheusConfig, 'utf8')) as {
      scrape_configs: { job_name: string }[];
    };
    const jobs = config.scrape_configs.map((j) => j.job_name).sort();
    expect(
      COMPONENTS.filter((c) => c.scraped)
        .map((c) => c.name)
        .sort(),
    ).toEqual(jobs);
  });
});
