import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  allPanels,
  checkDashboardProvisioning,
  checkDatasourceProvisioning,
  checkSchemaVersion,
  type DashboardJson,
  datasourceRefs,
  GRAFANA_LATEST_SCHEMA_VERSION,
  GRAFANA_MIN_SCHEMA_VERSION,
  interpolatePromValue,
  loadComposeFile,
  loadDashboards,
  loadGrafanaProvisioning,
  promVariableRequest,
  resolveDatasourceRef,
  stackPaths,
  variableQueryText,
} from '@reelwatch/stack-config';

// What can be checked of Grafana without a Grafana server (none runs on this machine): the
// provisioning files against the formats Grafana's readers parse, every provisioned dashboard's
// schemaVersion against what Grafana 12.2 migrates, and every datasource reference against the
// provisioned datasources. The template variables' queries run against a real Prometheus in
// stack-e2e.int.test.ts.
const paths = stackPaths(path.resolve(__dirname, '../../..'));
const dashboardsDir = path.join(paths.grafanaDir, 'dashboards');
const provisioning = loadGrafanaProvisioning(paths.grafanaDir);
const datasources = provisioning.datasources.datasources;
const clone = <T>(v: T): T => structuredClone(v);
const DELETE = Symbol('delete');
const varRef = (name: string) => `\${${name}}`;

/** A copy of doc with the value at a dotted path (`datasources.0.url`) set, or deleted. */
function mutated(doc: unknown, at: string, value: unknown): unknown {
  const copy = clone(doc);
  const keys = at.split('.');
  let node = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys[keys.length - 1] as string;
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return copy;
}

/** ../shared/fixtures/community-dashboards beside the repository (or a worktree's parents). */
function communityDashboardsDir(): string | undefined {
  for (let dir = path.dirname(paths.root); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared/fixtures/community-dashboards');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

describe('grafana provisioning files, against the formats Grafana 12.2 reads', () => {
  test('the datasources file passes', () => {
    expect(checkDatasourceProvisioning(provisioning.datasources)).toEqual([]);
  });

  test('the dashboards file passes', () => {
    expect(checkDashboardProvisioning(provisioning.dashboards)).toEqual([]);
  });

  test('the datasources check rejects what Grafana would fail on or silently ignore', () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['unknown key (typo)', 'datasources.0.isdefault', true, /unknown key "isdefault"/],
      ['v0 snake_case key', 'datasources.0.json_data', {}, /unknown key "json_data"/],
      ['apiVersion missing', 'apiVersion', DELETE, /apiVersion/],
      ['apiVersion 0', 'apiVersion', 0, /apiVersion/],
      ['bool as text', 'datasources.0.isDefault', 'yes', /isDefault: must be boolean/],
      ['url as number', 'datasources.0.url', 9090, /url: must be string/],
      [
        'access neither proxy nor direct',
        'datasources.0.access',
        'server',
        /access: must be equal to one of/,
      ],
      ['jsonData a string', 'datasources.0.jsonData', 'POST', /jsonData: must be object/],
      [
        'unknown jsonData key',
        'datasources.0.jsonData.httpmethod',
        'POST',
        /jsonData: unknown key "httpmethod"/,
      ],
      [
        'wrong jsonData value',
        'datasources.0.jsonData.httpMethod',
        'PUT',
        /httpMethod: must be equal to one of/,
      ],
      ['bad uid', 'datasources.0.uid', 'has space', /uid: must match/],
      ['two defaults', 'datasources.1.isDefault', true, /2 default datasources/],
      ['duplicate uid', 'datasources.1.uid', 'prometheus', /two datasources with uid/],
      [
        'dangling alertmanagerUid',
        'datasources.0.jsonData.alertmanagerUid',
        'nope',
        /alertmanagerUid "nope"/,
      ],
      [
        'deleteDatasources entry without name',
        'deleteDatasources.0',
        { orgId: 1 },
        /required property 'name'/,
      ],
    ];
    for (const [what, at, value, expected] of cases) {
      const doc = mutated(provisioning.datasources, at, value);
      expect({ what, problems: checkDatasourceProvisioning(doc).join('\n') }).toEqual({
        what,
        problems: expect.stringMatching(expected),
      });
    }
  });

  test('the dashboards provider check rejects what Grafana would fail on or silently ignore', () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['unknown provider key', 'providers.0.allowUIUpdates', true, /unknown key "allowUIUpdates"/],
      [
        'unknown options key',
        'providers.0.options.foldersFromFileStructure',
        true,
        /unknown key "foldersFromFileStructure"/,
      ],
      [
        'foldersFromFilesStructure as text',
        'providers.0.options.foldersFromFilesStructure',
        'true',
        /must be boolean/,
      ],
      ['no path', 'providers.0.options.path', DELETE, /required property 'path'/],
      ['relative path', 'providers.0.options.path', 'dashboards', /path: must match/],
      ['type not file', 'providers.0.type', 'git', /type: must be equal to constant/],
      ['apiVersion missing', 'apiVersion', DELETE, /apiVersion/],
      ['duplicate name', 'providers.1', clone(provisioning.dashboards.providers[0]), /not unique/],
      [
        'folder with foldersFromFilesStructure',
        'providers.0.folder',
        'Reelwatch',
        /foldersFromFilesStructure with folder/,
      ],
    ];
    for (const [what, at, value, expected] of cases) {
      const doc = mutated(provisioning.dashboards, at, value);
      expect({ what, problems: checkDashboardProvisioning(doc).join('\n') }).toEqual({
        what,
        problems: expect.stringMatching(expected),
      });
    }
  });

  test('the provider reads the folder Compose mounts the dashboards at, and the provisioning folder is where Grafana looks', () => {
    const grafana = loadComposeFile(paths.composeFile).services.grafana as { volumes: string[] };
    const mounts = new Map(
      grafana.volumes.map((v) => {
        const [source, target] = v.split(':');
        return [target as string, source as string];
      }),
    );
    for (const provider of provisioning.dashboards.providers)
      expect({ path: provider.options.path, source: mounts.get(provider.options.path) }).toEqual({
        path: '/etc/grafana/dashboards',
        source: '../grafana/dashboards',
      });
    // The image's GF_PATHS_PROVISIONING default.
    expect(mounts.get('/etc/grafana/provisioning')).toBe('../grafana/provisioning');
    // The home dashboard Compose names is a file the provider serves.
    const home = (
      loadComposeFile(paths.composeFile).services.grafana as { environment: Record<string, string> }
    ).environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH as string;
    expect(home.startsWith('/etc/grafana/dashboards/')).toBe(true);
    expect(existsSync(path.join(dashboardsDir, path.relative('/etc/grafana/dashboards', home)))).toBe(true);
  });

  test('every datasource URL is a Compose service and the port it listens on, up whenever Grafana is', () => {
    const compose = loadComposeFile(paths.composeFile);
    const grafana = compose.services.grafana as { profiles?: string[]; depends_on?: Record<string, unknown> };
    const found = datasources.map((ds) => {
      const url = new URL(ds.url);
      const service = compose.services[url.hostname];
      // The container side of each `ports` entry: "[ip:]host:container[/proto]".
      const containerPorts = (service?.ports ?? []).map((p) =>
        Number(
          String(p)
            .replace(/\/\w+$/, '')
            .split(':')
            .pop(),
        ),
      );
      return {
        url: ds.url,
        service: service ? url.hostname : undefined,
        listens: containerPorts.includes(Number(url.port)),
        sameProfiles: (grafana.profiles ?? []).every((p) => (service?.profiles ?? []).includes(p)),
        grafanaWaitsForIt: Object.keys(grafana.depends_on ?? {}).includes(url.hostname),
      };
    });
    expect(found).toEqual([
      {
        url: 'http://prometheus:9090',
        service: 'prometheus',
        listens: true,
        sameProfiles: true,
        grafanaWaitsForIt: true,
      },
      {
        url: 'http://alertmanager:9093',
        service: 'alertmanager',
        listens: true,
        sameProfiles: true,
        grafanaWaitsForIt: true,
      },
    ]);
  });
});

describe('provisioned dashboards, as Grafana 12.2 loads them', () => {
  const provisioned = loadDashboards(dashboardsDir);

  test(`the pinned schemaVersion range is Grafana 12.2's: ${GRAFANA_MIN_SCHEMA_VERSION}..${GRAFANA_LATEST_SCHEMA_VERSION}`, () => {
    expect([GRAFANA_MIN_SCHEMA_VERSION, GRAFANA_LATEST_SCHEMA_VERSION]).toEqual([13, 42]);
    expect(checkSchemaVersion({ schemaVersion: 12 })).toMatch(/< 13/);
    expect(checkSchemaVersion({ schemaVersion: 43 })).toMatch(/> 42/);
    expect(checkSchemaVersion({})).toMatch(/not an integer/);
    expect(checkSchemaVersion({ schemaVersion: 13 })).toBeUndefined();
  });

  test('the provider serves every generated dashboard and nothing else', () => {
    expect(provisioned.map((d) => d.file)).toEqual(
      expect.arrayContaining(['reelwatch/pipeline-overview.json', 'platform/postgresql.json']),
    );
    expect(provisioned.length).toBeGreaterThanOrEqual(5);
    // foldersFromFilesStructure: one level of folders, no dashboard at the root
    for (const { file } of provisioned) expect(file.split(path.sep)).toHaveLength(2);
  });

  test('every provisioned dashboard has a schemaVersion Grafana 12.2 migrates, a title and a unique uid', () => {
    const problems = provisioned.flatMap(({ file, dashboard }) => {
      const p = checkSchemaVersion(dashboard);
      return [
        ...(p ? [`${file}: ${p}`] : []),
        // file_reader.go / types.go: ErrDashboardTitleEmpty
        ...(dashboard.title ? [] : [`${file}: no title`]),
        ...(dashboard.uid && /^[a-zA-Z0-9_-]{1,40}$/.test(dashboard.uid)
          ? []
          : [`${file}: bad uid ${dashboard.uid}`]),
      ];
    });
    expect(problems).toEqual([]);
    const uids = provisioned.map((d) => d.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  test('every datasource reference resolves to a provisioned datasource of the right type', () => {
    const problems: string[] = [];
    let count = 0;
    for (const { file, dashboard } of provisioned)
      for (const use of datasourceRefs(dashboard)) {
        count++;
        const p = resolveDatasourceRef(use, dashboard, datasources);
        if (p) problems.push(`${file} ${use.where}: ${p}`);
      }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(100);
  });

  test('every query variable is a Prometheus query Grafana knows how to run, and every panel query names only defined variables', () => {
    const builtins = new Set([
      '__rate_interval',
      '__interval',
      '__range',
      '__interval_ms',
      '__range_s',
      '__range_ms',
    ]);
    const problems: string[] = [];
    for (const { file, dashboard } of provisioned) {
      const variables = dashboard.templating?.list ?? [];
      const names = new Set(variables.map((v) => v.name));
      for (const v of variables.filter((x) => x.type === 'query')) {
        const kind = promVariableRequest(variableQueryText(v), 0, 1).kind;
        if (kind === 'series')
          problems.push(`${file} $${v.name}: "${variableQueryText(v)}" is no variable function`);
        // A variable may only use variables defined before it (Grafana resolves them in order).
        const earlier = new Set(variables.slice(0, variables.indexOf(v)).map((x) => x.name));
        for (const [, a, b] of variableQueryText(v).matchAll(/\$\{(\w+)\}|\$(\w+)/g))
          if (!earlier.has((a ?? b) as string))
            problems.push(`${file} $${v.name} uses $${a ?? b} before it is defined`);
      }
      for (const panel of allPanels(dashboard)) {
        if (panel.repeat && !names.has(panel.repeat))
          problems.push(`${file} "${panel.title}" repeats over $${panel.repeat}`);
        for (const t of panel.targets ?? [])
          for (const [, a, b] of (t.expr ?? '').matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)) {
            const name = (a ?? b) as string;
            if (!names.has(name) && !builtins.has(name))
              problems.push(`${file} "${panel.title}" uses undefined $${name}`);
          }
      }
    }
    expect(problems).toEqual([]);
  });

  test('the checks catch a dashboard that Grafana would not load or whose panels would find no datasource', () => {
    const { dashboard } = provisioned.find((d) => d.file.endsWith('postgresql.json')) as {
      dashboard: DashboardJson;
    };
    const bad = clone(dashboard);
    bad.schemaVersion = GRAFANA_LATEST_SCHEMA_VERSION + 1;
    expect(checkSchemaVersion(bad)).toMatch(/newest Grafana 12.2 knows/);
    const resolve = (ref: unknown, needsType?: string) =>
      resolveDatasourceRef(
        { where: 'x', ref: ref as never, ...(needsType ? { needsType } : {}) },
        bad,
        datasources,
      );
    expect(resolve({ type: 'prometheus', uid: 'prom' })).toMatch(/uid "prom" is no provisioned datasource/);
    expect(resolve({ type: 'loki', uid: 'prometheus' })).toMatch(/declares type loki/);
    expect(resolve({ type: 'prometheus', uid: varRef('ds') })).toMatch(/names no variable/);
    expect(resolve({ type: 'prometheus', uid: varRef('server') })).toMatch(/not a datasource variable/);
    expect(resolve({ type: 'alertmanager', uid: 'alertmanager' }, 'prometheus')).toMatch(/needs prometheus/);
    expect(resolve('Prometheus')).toBeUndefined();
    expect(resolve(null, 'prometheus')).toBeUndefined();
    const dsVar = bad.templating?.list?.find((v) => v.type === 'datasource');
    if (!dsVar) throw new Error('no datasource variable');
    dsVar.query = 'loki';
    expect(resolve({ type: 'prometheus', uid: varRef('datasource') })).toMatch(
      /declares type prometheus, variable datasource lists loki/,
    );
    dsVar.query = 'prometheus';
    dsVar.current = { text: 'Prom', value: 'prom' };
    expect(resolve({ type: 'prometheus', uid: varRef('datasource') })).toMatch(/defaults to "prom"/);
  });
});

describe("Grafana's Prometheus variable queries, translated to HTTP API requests", () => {
  test('label_values, label_names, metrics and query_result become the requests Grafana sends', () => {
    const r = (q: string) => {
      const req = promVariableRequest(q, 100, 200);
      return { kind: req.kind, path: req.path, params: req.params, filter: req.filter?.source };
    };
    expect(r('label_values(nodejs_version_info{service=~".+"}, instance)')).toEqual({
      kind: 'label_values',
      path: '/api/v1/label/instance/values',
      params: [
        ['match[]', 'nodejs_version_info{service=~".+"}'],
        ['start', '100'],
        ['end', '200'],
      ],
      filter: undefined,
    });
    expect(r('label_values(job)')).toMatchObject({
      path: '/api/v1/label/job/values',
      params: [
        ['start', '100'],
        ['end', '200'],
      ],
    });
    expect(r('label_names()')).toMatchObject({ path: '/api/v1/labels' });
    expect(r('metrics(pg_.*)')).toMatchObject({ path: '/api/v1/label/__name__/values', filter: 'pg_.*' });
    expect(r('query_result(sum by (job) (up))')).toMatchObject({
      path: '/api/v1/query',
      params: [
        ['query', 'sum by (job) (up)'],
        ['time', '200'],
      ],
    });
    expect(r('up{job="x"}')).toMatchObject({ kind: 'series', path: '/api/v1/series' });
  });

  test("variable values go into queries escaped as Grafana's Prometheus datasource does", () => {
    const multi = { multi: true, includeAll: true };
    expect(interpolatePromValue(['127.0.0.1:9464'], multi)).toBe('127\\\\.0\\\\.0\\\\.1:9464');
    expect(interpolatePromValue(['a', 'b'], multi)).toBe('(a|b)');
    expect(interpolatePromValue(['127.0.0.1'], { multi: false, includeAll: false })).toBe('127.0.0.1');
  });
});

describe('community dashboards (shared fixtures): not provisioned, checked as an import into this Grafana', () => {
  const dir = communityDashboardsDir();

  test('they are not in the provisioned folder', () => {
    const provisioned = new Set(loadDashboards(dashboardsDir).map((d) => path.basename(d.file)));
    for (const f of dir ? readdirSync(dir) : []) expect(provisioned.has(f)).toBe(false);
  });

  test('their schemaVersion is one Grafana 12.2 migrates and their datasources resolve', () => {
    if (!dir) return; // the fixtures live in ../shared, present on the project's machines and in CI
    const problems: string[] = [];
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const dashboard = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as DashboardJson;
      const p = checkSchemaVersion(dashboard);
      if (p) problems.push(`${file}: ${p}`);
      for (const use of datasourceRefs(dashboard)) {
        const r = resolveDatasourceRef(use, dashboard, datasources);
        if (r) problems.push(`${file} ${use.where}: ${r}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('community dashboards kept in the repository (test/fixtures/community-dashboards)', () => {
  const dir = path.join(__dirname, 'fixtures', 'community-dashboards');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  /** What Grafana's import does with an export's __inputs: each datasource input becomes the chosen datasource. */
  function imported(file: string): DashboardJson {
    let text = readFileSync(path.join(dir, file), 'utf8');
    const inputs = (JSON.parse(text) as { __inputs?: { name: string; type: string }[] }).__inputs ?? [];
    for (const input of inputs.filter((i) => i.type === 'datasource'))
      text = text.split(`\${${input.name}}`).join('prometheus');
    return JSON.parse(text) as DashboardJson;
  }

  test('Kafka Exporter Overview (7589) is there, not provisioned, and every panel has a query', () => {
    expect(files).toContain('kafka-exporter-overview-7589.json');
    const provisioned = new Set(loadDashboards(dashboardsDir).map((d) => path.basename(d.file)));
    for (const f of files) expect(provisioned.has(f)).toBe(false);
    const panels = allPanels(imported('kafka-exporter-overview-7589.json')).filter((p) => p.type !== 'row');
    expect(panels.length).toBe(5);
    for (const p of panels)
      expect({ title: p.title, queries: (p.targets ?? []).length > 0 }).toEqual({
        title: p.title,
        queries: true,
      });
  });

  test('once imported, their schemaVersion is one Grafana 12.2 migrates and their datasources resolve', () => {
    const problems: string[] = [];
    for (const file of files) {
      const dashboard = imported(file);
      const p = checkSchemaVersion(dashboard);
      if (p) problems.push(`${file}: ${p}`);
      for (const use of datasourceRefs(dashboard)) {
        const r = resolveDatasourceRef(use, dashboard, datasources);
        if (r) problems.push(`${file} ${use.where}: ${r}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
