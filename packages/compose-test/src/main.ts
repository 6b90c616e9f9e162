// `pnpm test:compose`: compose/docker-compose.yml, unchanged, run for real on a Docker engine.
// Upstream images that cannot be pulled are rebuilt as local stand-ins under their exact tags
// (standins/README.md); reelwatch/services is built from compose/Dockerfile as users build it.
// Prints one line per check and, last, `compose: <healthy>/<services> healthy, panels with data
// <A>/<B>, up in <S> s`. Exits 1 when any check fails; the project is always taken down.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { composeChaos } from './checks/chaos';
import { panelsWithData } from './checks/dashboards';
import { healthReport } from './checks/health';
import { eventsFlow, replicaStreams, snapshotPushed, taskMonitorAuth } from './checks/pipeline';
import { everyRuleGroupEvaluated, everyTargetUp } from './checks/prometheus';
import { countedEqualsTopic, lagReturnsToZero, twoIngestionMembers } from './checks/scale';
import { stackCliEndToEnd } from './checks/stack-cli';
import { downLeavesNothing } from './checks/teardown';
import { ComposeProject, composeServices, isOneShot, REPO_ROOT } from './compose-project';
import { ensureEngine } from './engine';
import { buildStandIns } from './standins';

const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => Math.round(ms / 1000);
const failures: string[] = [];

async function check(name: string, fn: () => Promise<string>): Promise<void> {
  const t0 = Date.now();
  try {
    log(`ok - ${name}: ${await fn()} (${seconds(Date.now() - t0)} s)`);
  } catch (err) {
    failures.push(name);
    log(`not ok - ${name}: ${(err as Error).message}`);
  }
}

async function diagnose(project: ComposeProject): Promise<void> {
  const states = await project.ps().catch(() => []);
  for (const c of states) log(`# ${c.Name}: ${c.State} ${c.Health} exit ${c.ExitCode}`);
  const bad = [
    ...new Set(
      states
        .filter((c) => (c.Health && c.Health !== 'healthy') || (c.State === 'exited' && c.ExitCode !== 0))
        .map((c) => c.Service),
    ),
  ];
  for (const service of bad) {
    const logs = await project.composeUnchecked(['logs', '--no-color', '--tail', '40', service]);
    for (const line of `${logs.stdout}${logs.stderr}`.trim().split('\n')) log(`# ${line}`);
  }
}

interface Plan {
  declared: ReturnType<typeof composeServices>;
  /** every service the test starts: all but those whose image cannot exist here */
  started: string[];
  without: string[];
  nodeImage: string;
}

interface Summary {
  upSeconds: number;
  health: { healthy: number; services: number };
  panels: { withData: number; panels: number };
}

/** The engine, then a stand-in for every image Compose names that cannot be pulled. */
async function prepare(): Promise<Plan> {
  const { engine, compose } = await ensureEngine();
  log(`engine ${engine}, compose ${compose}`);
  const declared = composeServices();
  const images = Object.values(declared)
    .filter((s) => !s.build && s.image)
    .map((s) => s.image as string);
  const { unbuildable } = await buildStandIns([...new Set(images)], (l) => log(`stand-in ${l}`));
  const started = Object.keys(declared).filter((name) => !unbuildable.includes(declared[name]?.image ?? ''));
  const without = Object.keys(declared).filter((n) => !started.includes(n));
  log(`left unstarted (no stand-in can exist here): ${without.join(', ')}`);
  const nodeImage = images.find((i) => i.startsWith('node:'));
  if (!nodeImage) throw new Error('the Compose file names no node image');
  return { declared, started, without, nodeImage };
}

/** Every job prometheus/prometheus.yml scrapes: each must have a target up. */
function prometheusJobs(): string[] {
  const config = YAML.parse(readFileSync(path.join(REPO_ROOT, 'prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: { job_name: string }[];
  };
  return config.scrape_configs.map((c) => c.job_name);
}

/** Build and start the project, check that everything came up healthy. */
async function upAndHealthy(project: ComposeProject, plan: Plan, summary: Summary): Promise<void> {
  const b0 = Date.now();
  await project.compose(['build', ...plan.started.filter((s) => plan.declared[s]?.build)], {
    timeoutMs: 1_200_000,
  });
  log(`ok - reelwatch/services built from compose/Dockerfile in ${seconds(Date.now() - b0)} s`);
  const u0 = Date.now();
  await check('up -d --wait exits 0', async () => {
    await project.compose(['up', '-d', '--wait', '--wait-timeout', '300', ...plan.started]);
    summary.upSeconds = seconds(Date.now() - u0);
    return `up in ${summary.upSeconds} s`;
  });
  await check('every service healthy, every one-shot exited 0', async () => {
    const report = await healthReport(project, plan.started);
    summary.health = report;
    if (report.problems.length > 0) throw new Error(report.problems.join('; '));
    const oneShots = plan.started.filter((s) => isOneShot(plan.declared[s] ?? {}));
    return `${report.healthy}/${report.services} (one-shots: ${oneShots.join(', ')})`;
  });
  if (failures.length > 0) await diagnose(project);
}

/** What the running stack must show: targets, rules, replication, data, dashboards. */
async function runningStackChecks(project: ComposeProject, summary: Summary): Promise<void> {
  const prometheus = project.url('PROMETHEUS_PORT');
  await check('Prometheus: every target up', () => everyTargetUp(prometheus, prometheusJobs()));
  await check('Prometheus: every rule group evaluated without error', () =>
    everyRuleGroupEvaluated(prometheus),
  );
  await check('the replica streams from the primary', () => replicaStreams(project));
  await check('events flow from Kafka through ingestion into PostgreSQL', () => eventsFlow(project));
  await check('Pushgateway holds the training_snapshot group', () =>
    snapshotPushed(project.url('PUSHGATEWAY_PORT')),
  );
  await check('task-monitor: 401 without credentials, 200 with .env', () =>
    taskMonitorAuth(project.url('TASK_MONITOR_PORT'), project.env.TASK_MONITOR_BASIC_AUTH ?? ''),
  );
  await check('every dashboard panel shows data', async () => {
    const r = await panelsWithData(prometheus);
    summary.panels = r;
    if (r.empty.length > 0) throw new Error(`${r.withData}/${r.panels}; empty: ${r.empty.join('; ')}`);
    return `${r.withData}/${r.panels}`;
  });
}

/** Scale-out, then nothing lost: lag back to 0 and every message counted once. */
async function scaleChecks(project: ComposeProject, plan: Plan): Promise<void> {
  const prometheus = project.url('PROMETHEUS_PORT');
  await check('--scale ingestion=2: both members consume', () =>
    twoIngestionMembers(project, plan.started, prometheus),
  );
  await check('consumer lag returns to 0', () => lagReturnsToZero(project, prometheus));
  await check('what was counted equals what was in the topic', () =>
    countedEqualsTopic(project, project.env.KAFKA_TOPIC ?? 'movie-events', plan.nodeImage),
  );
}

async function main(): Promise<number> {
  const plan = await prepare();
  const project = new ComposeProject();
  await project.configure({ TRAINING_SNAPSHOT_INTERVAL_SECONDS: '20' });
  const summary: Summary = {
    upSeconds: Number.NaN,
    health: { healthy: 0, services: plan.started.length },
    panels: { withData: 0, panels: 0 },
  };
  try {
    await upAndHealthy(project, plan, summary);
    await runningStackChecks(project, summary);
    await check('pnpm chaos --compose --short: every fault alerted and resolved, nothing lost', () =>
      composeChaos(project, (l) => log(`# ${l}`)),
    );
    await scaleChecks(project, plan);
    if (failures.length > 0) await diagnose(project);
  } finally {
    await check('down -v leaves no container, volume or network', () => downLeavesNothing(project));
    project.cleanup();
  }
  await check('stack CLI in Docker mode: up, status, logs, doctor, down --volumes', () =>
    stackCliEndToEnd({ without: plan.without, log: (l) => log(`# ${l}`) }),
  );
  log(`${failures.length === 0 ? 'compose test passed' : `compose test FAILED: ${failures.join('; ')}`}`);
  const { health, panels } = summary;
  log(
    `compose: ${health.healthy}/${health.services} healthy, panels with data ${panels.withData}/${panels.panels}, up in ${summary.upSeconds} s`,
  );
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log(`compose test could not run: ${err.message}`);
    process.exit(1);
  },
);
