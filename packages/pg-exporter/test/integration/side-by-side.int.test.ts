import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  findBinary,
  freePort,
  type ManagedProcess,
  type PostgresCluster,
  type ResourceSnapshot,
  remainingLeaks,
  type ServiceProcess,
  snapshotResources,
  spawnChild,
  startPostgres,
  startService,
  waitFor,
} from '@reelwatch/testkit';
import { type Scrape, scrape, scrapeParsed } from '../helpers';
import { GO_RUNTIME_PREFIXES, KNOWN_DIFFERENCES } from '../upstream';

const dist = path.resolve(__dirname, '../../dist/main.js');

/** Label names by family, pg_settings_* folded into one entry like upstream's collector. */
function shape(s: Scrape): Map<string, string[]> {
  return s.labelNames();
}

describe("side by side with Debian's prometheus-postgres-exporter on the same primary", () => {
  let cluster: PostgresCluster;
  let upstream: ManagedProcess | undefined;
  let resources: ResourceSnapshot;
  let ours: ServiceProcess | undefined;
  let upstreamUrl: string;

  beforeAll(async () => {
    resources = snapshotResources();
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
    const binary = findBinary('prometheus-postgres-exporter', 'prometheus-postgres-exporter');
    cluster = await startPostgres();
    await cluster.primary.query(`SELECT pg_create_physical_replication_slot('side_by_side', true)`);
    await cluster.waitForReplay();
    const upstreamPort = await freePort();
    upstreamUrl = `http://127.0.0.1:${upstreamPort}/metrics`;
    upstream = spawnChild({
      name: 'postgres_exporter',
      command: binary,
      args: [`--web.listen-address=127.0.0.1:${upstreamPort}`],
      env: {
        PATH: process.env.PATH ?? '',
        // 0.11.1 cannot parse postgres:// with --auto-discover-databases; postgresql:// works everywhere
        DATA_SOURCE_NAME: `${cluster.primary.url('postgres').replace(/^postgres:/, 'postgresql:')}?sslmode=disable`,
      },
    });
    await waitFor(
      async () => {
        const r = await scrape(upstreamUrl).catch(() => undefined);
        return r?.status === 200 && r.text.includes('pg_up 1') ? true : undefined;
      },
      {
        timeoutMs: 20_000,
        what: `Debian postgres_exporter on :${upstreamPort}`,
      },
    );
    const port = await freePort();
    ours = await startService({
      entry: dist,
      port,
      env: {
        DATA_SOURCE_NAME: cluster.primary.url('postgres'),
        PG_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}`,
      },
      healthPath: '/healthz',
    });
  });

  afterAll(async () => {
    await upstream?.stop();
    await ours?.stop();
    await cluster?.destroy();
    expect(await remainingLeaks(resources)).toEqual([]);
  });

  it('emits every family upstream emits, with at least its label names, except the documented differences', async () => {
    const theirScrape = await scrapeParsed(upstreamUrl);
    const myScrape = await scrapeParsed(`${ours!.url}/metrics`);
    const theirs = shape(theirScrape);
    const mine = shape(myScrape);
    expect(theirs.size).toBeGreaterThan(100);
    const missing: string[] = [];
    const labelGaps: string[] = [];
    for (const [name, labels] of theirs) {
      if (GO_RUNTIME_PREFIXES.some((p) => name.startsWith(p)) || name in KNOWN_DIFFERENCES) continue;
      const ourLabels = mine.get(name);
      if (!ourLabels) {
        missing.push(name);
        continue;
      }
      const gap = labels.filter((l) => !ourLabels.includes(l));
      if (gap.length > 0) labelGaps.push(`${name}: ${gap.join(',')}`);
    }
    expect(missing).toEqual([]);
    expect(labelGaps).toEqual([]);
    // same metric types where upstream declares one (its untyped columns aside)
    const typeGaps = [...theirs.keys()]
      .filter((name) => mine.has(name) && theirScrape.type(name) !== 'untyped')
      .filter((name) => theirScrape.type(name) !== myScrape.type(name))
      .map((name) => `${name}: ${theirScrape.type(name)} vs ${myScrape.type(name)}`);
    expect(typeGaps).toEqual([]);
    // the documented differences are real: upstream does emit them
    const emittedDifferences = Object.keys(KNOWN_DIFFERENCES).filter((n) => theirs.has(n));
    expect(emittedDifferences.length).toBeGreaterThanOrEqual(3);
  });
});
