import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ComposeStack } from './compose-stack';
import { FROZEN } from './faults';
import { type ChaosReport, RESTORE, runChaos } from './run';
import { NativeStack, REPO_ROOT, runStackCli, signalAll } from './stack-handle';

const USAGE = `usage: pnpm chaos [--short | --duration <30m>] [--seed <n>] [--time-scale <k>] [--json]
                  [--up] [--state-dir <dir>]                       (native)
                  --compose [--project <name>] [--env-file <file>]  (Compose)

Faults under load against the running stack, then the accounting. Native (the default): the stack
of pnpm stack up --mode native; --up starts a throwaway one for the run and removes it after.
--compose: the Compose project (default reelwatch, env file compose/.env) of
docker compose -f compose/docker-compose.yml up. --short runs every fault once with the rules'
durations divided by 10 (a few minutes).`;

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration must be like 1800, 90s, 30m or 1h, not "${text}"`);
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[m[2] ?? 's'] ?? 1);
}

async function portsFree(base: number, count: number): Promise<boolean> {
  for (let p = base; p < base + count; p++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(p, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

async function freePortBase(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 400) * 50;
    if (await portsFree(base, 30)) return base;
  }
  throw new Error('no free block of 30 ports found between 20000 and 40000');
}

function print(report: ChaosReport, log: (line: string) => void): void {
  log('');
  const e = report.events;
  if (e.error) log(`  events: NOT ACCOUNTED (${e.error})`);
  else
    log(
      `  events: ${e.inTopic} in the topic${e.deletedByBroker ? ` (+${e.deletedByBroker} deleted by retention)` : ''}, ${e.inDatabase} in the database (${Object.entries(
        e.byType,
      )
        .map(([type, n]) => `${type} ${n.database}/${n.topic}`)
        .join(
          ', ',
        )}), lost ${e.lost}, duplicated ${e.duplicated}${e.behind.length ? `, BEHIND: ${e.behind.join('; ')}` : ''}`,
    );
  const t = report.tasks;
  log(
    `  tasks: ${t.sent} sent and accepted, ${t.succeeded} succeeded, ${t.failed} failed as asked, ${t.unfinished.length} without a terminal state, ${t.wrong.length} ended otherwise than asked, ${t.refused} refused at send (broker down)`,
  );
  for (const line of [...t.unfinished, ...t.wrong].slice(0, 10)) log(`    ${line}`);
  log(
    `  replica: ${report.replica.length === 0 ? 'every table equals the primary' : report.replica.join('; ')}`,
  );
  if (report.history) log(`  Prometheus history across its restart: ${report.history.detail}`);
  log(
    `  RSS growth after warm-up: ${report.memory.map((m) => `${m.component} ${m.growthMb >= 0 ? '+' : ''}${m.growthMb.toFixed(1)} MB`).join(', ')}`,
  );
  log(report.summary);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      short: { type: 'boolean' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      up: { type: 'boolean' },
      'state-dir': { type: 'string' },
      compose: { type: 'boolean' },
      project: { type: 'string' },
      'env-file': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const durationSec = values.short ? 0 : parseDuration(values.duration ?? '30m');
  const timeScale = Number(values['time-scale'] ?? (values.short ? 10 : 1));
  if (!Number.isFinite(timeScale) || timeScale < 1) throw new Error('--time-scale must be a number >= 1');
  const seed = Number(values.seed ?? Date.now() % 100_000);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const log = (line: string) => process.stdout.write(`${line}\n`);

  if (values.compose && (values.up || values['state-dir']))
    throw new Error(
      '--up and --state-dir are for the native stack; with --compose, start the project with docker compose up',
    );
  if (!values.compose && (values.project || values['env-file']))
    throw new Error('--project and --env-file name a Compose project: add --compose');
  let stateDir = path.resolve(REPO_ROOT, values['state-dir'] ?? process.env.REELWATCH_STACK_DIR ?? '.stack');
  let scrapeIntervalSec = Number(process.env.REELWATCH_STACK_SCRAPE_INTERVAL ?? 15);
  let scratch: string | undefined;
  const cleanUp = async () => {
    // a hang in progress let go, the stack's own rules back, a throwaway stack removed
    signalAll([...FROZEN], 'SIGCONT');
    for (const restore of RESTORE) await restore().catch(() => undefined);
    if (scratch) {
      await runStackCli(['down', '--volumes', '--mode', 'native', '--state-dir', stateDir], {}, 120_000);
      rmSync(scratch, { recursive: true, force: true });
      scratch = undefined;
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      log(`chaos: ${signal}: putting the stack back`);
      void cleanUp().finally(() => process.exit(130));
    });
  try {
    if (values.up) {
      scratch = mkdtempSync(path.join(os.tmpdir(), 'reelwatch-chaos-'));
      stateDir = path.join(scratch, '.stack');
      scrapeIntervalSec = Math.max(1, Math.floor(15 / timeScale));
      const env = {
        REELWATCH_STACK_SCRAPE_INTERVAL: String(scrapeIntervalSec),
        PRODUCER_RATE: process.env.PRODUCER_RATE ?? '200',
      };
      const base = await freePortBase();
      log(`starting a native stack for the run in ${stateDir} (ports from ${base})`);
      const up = await runStackCli(
        ['up', '--mode', 'native', '--state-dir', stateDir, '--port-base', String(base), '--no-install'],
        env,
        600_000,
      );
      if (up.code !== 0) {
        process.stderr.write(up.stdout + up.stderr);
        throw new Error(`pnpm stack up failed (exit ${up.code})`);
      }
    }
    const stack = values.compose
      ? await new ComposeStack(
          values.project ?? 'reelwatch',
          path.resolve(values['env-file'] ?? path.join(REPO_ROOT, 'compose', '.env')),
        ).open()
      : new NativeStack(stateDir, scrapeIntervalSec);
    const report = await runChaos({ stack, durationSec, seed, timeScale, log });
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    print(report, log);
    return report.ok ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`chaos: ${error.message}\n`);
    process.exit(2);
  },
);
