import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ContainerInfo, ContainerInspectInfo } from 'dockerode';
import { containerState, projectContainers, summarizeServices } from '../../src/docker/containers';

// Engine API responses as the Docker Engine API (v1.47) documents them, with the labels Docker
// Compose 2.29 sets: GET /containers/json?all=1 (our project, another project, a plain container,
// a `docker compose run` one-off) and GET /containers/<id>/json for each. There is no Docker engine
// on the machine these tests run on; the same code talks to a real engine in `pnpm stack status`.
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'docker');
const list = JSON.parse(readFileSync(path.join(FIXTURES, 'containers-json.json'), 'utf8')) as ContainerInfo[];
const inspects = JSON.parse(readFileSync(path.join(FIXTURES, 'containers-inspect.json'), 'utf8')) as Record<
  string,
  ContainerInspectInfo
>;

function inspectOf(name: string): ContainerInspectInfo {
  const found = Object.values(inspects).find((i) => i.Name === `/${name}`);
  if (!found) throw new Error(`no fixture for ${name}`);
  return found;
}

describe('projectContainers', () => {
  it("keeps only the project's containers, without one-off `compose run` containers, sorted by service and replica", () => {
    const found = projectContainers(list, 'reelwatch');
    expect(found.map((c) => c.name)).toEqual([
      'reelwatch-grafana-1',
      'reelwatch-ingestion-1',
      'reelwatch-ingestion-2',
      'reelwatch-ingestion-3',
      'reelwatch-kafka-1',
      'reelwatch-kafka-init-1',
      'reelwatch-pg-exporter-1',
      'reelwatch-postgres-primary-1',
      'reelwatch-postgres-replica-1',
      'reelwatch-training-snapshot-1',
    ]);
    expect(found.find((c) => c.name === 'reelwatch-ingestion-3')).toMatchObject({
      service: 'ingestion',
      number: 3,
    });
  });

  it('finds nothing for a project that has no containers', () => {
    expect(projectContainers(list, 'nothing-here')).toEqual([]);
  });
});

describe('containerState', () => {
  it.each([
    ['reelwatch-kafka-1', 'healthy'],
    ['reelwatch-ingestion-3', 'starting'],
    ['reelwatch-training-snapshot-1', 'running'],
    ['reelwatch-kafka-init-1', 'completed'],
    ['reelwatch-grafana-1', 'unhealthy'],
    ['reelwatch-pg-exporter-1', 'failed'],
  ])('reads %s as %s', (name, state) => {
    expect(containerState(inspectOf(name)).state).toBe(state);
  });

  it('explains an unhealthy container with its failing streak and the last check output', () => {
    expect(containerState(inspectOf('reelwatch-grafana-1')).detail).toBe(
      '3 failed checks: /bin/sh: curl: not found',
    );
  });

  it('gives the exit code of a service that stopped (a restart policy means it should run)', () => {
    expect(containerState(inspectOf('reelwatch-pg-exporter-1')).detail).toBe('exited with code 78');
  });
});

describe('summarizeServices', () => {
  const containers = projectContainers(list, 'reelwatch').map((c) => ({
    ...c,
    ...containerState(inspects[c.id] as ContainerInspectInfo),
  }));

  it('adds up a scaled service to its worst replica, with the count of fine ones', () => {
    const ingestion = summarizeServices(containers).find((s) => s.name === 'ingestion');
    expect(ingestion).toEqual({
      name: 'ingestion',
      state: 'starting',
      detail: '2/3 replicas fine; reelwatch-ingestion-3: starting',
    });
  });

  it('gives one line per service, each with its own state', () => {
    const byName = Object.fromEntries(summarizeServices(containers).map((s) => [s.name, s.state]));
    expect(byName).toEqual({
      grafana: 'unhealthy',
      ingestion: 'starting',
      kafka: 'healthy',
      'kafka-init': 'completed',
      'pg-exporter': 'failed',
      'postgres-primary': 'healthy',
      'postgres-replica': 'healthy',
      'training-snapshot': 'running',
    });
  });

  it('reports an expected service without any container as stopped', () => {
    const summary = summarizeServices(containers, ['prometheus']);
    expect(summary.find((s) => s.name === 'prometheus')).toEqual({
      name: 'prometheus',
      state: 'stopped',
      detail: 'no container',
    });
  });

  it('reports a left-out service (up --without) without a container as skipped, which is fine', () => {
    const summary = summarizeServices(containers, ['prometheus'], ['alertmanager']);
    expect(summary.find((s) => s.name === 'alertmanager')).toEqual({
      name: 'alertmanager',
      state: 'skipped',
      detail: 'left out by up --without',
    });
    expect(summary.map((s) => s.name)).toEqual([...summary.map((s) => s.name)].sort());
  });

  it('shows a left-out service that still has a container as that container is', () => {
    const summary = summarizeServices(containers, [], ['grafana']);
    expect(summary.find((s) => s.name === 'grafana')?.state).toBe('unhealthy');
  });
});
