import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  composeProjectName,
  dockerRecordFile,
  parseServiceList,
  planServices,
  readDockerRecord,
  removeDockerRecord,
  writeDockerRecord,
} from '../../src/docker/project';
import { composePublishedPorts } from '../../src/doctor';
import { StackError } from '../../src/errors';

// The services of compose/docker-compose.yml as `docker compose config --format json` gives them
// (depends_on only), in the file's order.
const SERVICES = {
  kafka: {},
  'kafka-init': { depends_on: { kafka: { condition: 'service_healthy' } } },
  'postgres-primary': {},
  redis: {},
  'event-producer': { depends_on: { 'kafka-init': {} } },
  ingestion: { depends_on: { 'kafka-init': {}, 'postgres-primary': {} } },
  'training-snapshot': { depends_on: { ingestion: {}, 'postgres-primary': {} } },
  prometheus: {},
  alertmanager: {},
  grafana: { depends_on: { prometheus: {}, alertmanager: {} } },
};

describe('planServices (up --without)', () => {
  it('leaves out a service nothing depends on, and starts the rest in the order given', () => {
    expect(planServices(SERVICES, ['grafana'])).toEqual({
      start: [
        'kafka',
        'kafka-init',
        'postgres-primary',
        'redis',
        'event-producer',
        'ingestion',
        'training-snapshot',
        'prometheus',
        'alertmanager',
      ],
      leftOut: ['grafana'],
      dependents: [],
    });
  });

  it('leaves out what depends on a left-out service, directly or not (else Compose would start it)', () => {
    const plan = planServices(SERVICES, ['kafka']);
    expect(plan.dependents).toEqual(['kafka-init', 'event-producer', 'ingestion', 'training-snapshot']);
    expect(plan.leftOut).toEqual(['kafka', 'kafka-init', 'event-producer', 'ingestion', 'training-snapshot']);
    expect(plan.start).toEqual(['postgres-primary', 'redis', 'prometheus', 'alertmanager', 'grafana']);
  });

  it('starts everything when nothing is left out', () => {
    expect(planServices(SERVICES, [])).toEqual({ start: Object.keys(SERVICES), leftOut: [], dependents: [] });
  });

  it('rejects a name that is no service of the active profiles, naming those there are', () => {
    expect(() => planServices(SERVICES, ['grafanna'])).toThrow(
      /--without: no service grafanna in the active profiles; services: kafka, kafka-init/,
    );
  });
});

describe('parseServiceList', () => {
  it('takes repeated and comma-separated names, each once', () => {
    expect(parseServiceList(['grafana,kafka', ' kafka ', 'redis,'])).toEqual(['grafana', 'kafka', 'redis']);
    expect(parseServiceList('grafana')).toEqual(['grafana']);
    expect(parseServiceList(undefined)).toEqual([]);
  });
});

describe('composeProjectName', () => {
  it('is reelwatch (the file’s name) unless COMPOSE_PROJECT_NAME says otherwise', () => {
    expect(composeProjectName({}, {})).toBe('reelwatch');
  });

  it('takes COMPOSE_PROJECT_NAME from the environment before the env file, as Compose does', () => {
    expect(composeProjectName({}, { COMPOSE_PROJECT_NAME: 'from-file' })).toBe('from-file');
    expect(
      composeProjectName({ COMPOSE_PROJECT_NAME: 'from-env' }, { COMPOSE_PROJECT_NAME: 'from-file' }),
    ).toBe('from-env');
  });

  it('rejects a name Compose would refuse, as a usage error', () => {
    let caught: unknown;
    try {
      composeProjectName({ COMPOSE_PROJECT_NAME: 'My Stack' }, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StackError);
    expect((caught as StackError).code).toBe('USAGE');
  });
});

describe('the record of left-out services', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stack-record-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is kept per project, removed by an up that leaves nothing out and by down', () => {
    writeDockerRecord(dir, { project: 'a', leftOut: ['grafana'] });
    expect(readDockerRecord(dir, 'a')).toEqual({ project: 'a', leftOut: ['grafana'] });
    expect(readDockerRecord(dir, 'b')).toBeUndefined();
    writeDockerRecord(dir, { project: 'a', leftOut: [] });
    expect(existsSync(dockerRecordFile(dir, 'a'))).toBe(false);
    writeDockerRecord(dir, { project: 'a', leftOut: ['grafana'] });
    removeDockerRecord(dir, 'a');
    expect(readDockerRecord(dir, 'a')).toBeUndefined();
  });
});

describe('composePublishedPorts (doctor)', () => {
  it('checks the ports Compose will publish: environment, then env file, then the default', () => {
    const ports = Object.fromEntries(
      composePublishedPorts(
        { PROMETHEUS_PORT: '19090' },
        { PROMETHEUS_PORT: '29090', GRAFANA_PORT: '23000' },
      ),
    );
    expect(ports).toEqual({
      GRAFANA_PORT: 23000,
      PROMETHEUS_PORT: 19090,
      ALERTMANAGER_PORT: 9093,
      PUSHGATEWAY_PORT: 9091,
      TASK_MONITOR_PORT: 5555,
    });
  });
});
