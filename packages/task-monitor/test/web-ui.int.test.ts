import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  makeTempDir,
  type RedisServer,
  removeTempDir,
  type ServiceProcess,
  startRedis,
  startService,
  waitFor,
} from '@reelwatch/testkit';
import type { Locator, Page } from 'playwright-core';
import type { TaskMonitor } from '../src/monitor';
import { chromiumPath, launchChromium } from './browser';
import { createMonitorHarness, type MonitorHarness, workerStateIn } from './helpers';

// The pages as a user sees them: Debian's Chromium driven by playwright-core (no browser is
// downloaded), a real Redis, a real task-worker process, the monitor behind basic auth.
const entry = path.resolve(__dirname, '../../task-worker/dist/main.js');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const repoRoot = path.resolve(__dirname, '../../..');
const HEARTBEAT_MS = 500;
const USER = 'admin';
const PASSWORD = `pw-${process.pid}`;
const WORKER = 'web@ui';
const WIDTHS = [1280, 390] as const;

let server: RedisServer;
let h: MonitorHarness;
let monitor: TaskMonitor;
let base: string;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page: Page;
let worker: ServiceProcess | undefined;
/** ids the later tests use */
const ids: { failed?: string } = {};

// UPDATE_SCREENSHOTS=1 writes the README's screenshots (docs/images); otherwise they go to a temp dir
const shotsDir = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(repoRoot, 'docs/images') : '';

beforeAll(async () => {
  chromiumPath(); // a missing browser fails naming its Debian package, before anything starts
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm -s build\` first`);
  server = await startRedis();
  h = await createMonitorHarness(server);
  monitor = await h.startMonitor({ purgeOfflineWorkersSeconds: 900 });
  base = await h.serve(monitor, { auth: { basic: [`${USER}:${PASSWORD}`], token: '' } });
  browser = await launchChromium({ baseURL: base, credentials: { username: USER, password: PASSWORD } });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await h?.close();
  await server?.destroy();
});

/** Marks the page: a full reload would lose the mark. */
async function mark(): Promise<void> {
  // browser-side code as strings: the tests are compiled without the DOM library
  await page.evaluate('window.noReload = true');
}
async function stillMarked(): Promise<boolean> {
  return (await page.evaluate('window.noReload === true')) === true;
}

/** Waits until the locator's text is `want` (exact) or matches it; fails naming the last text seen. */
async function hasText(locator: Locator, want: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = (
      (await locator
        .first()
        .textContent({ timeout: 1000 })
        .catch(() => '')) ?? ''
    ).trim();
    if (typeof want === 'string' ? last === want : want.test(last)) return;
    if (Date.now() > deadline)
      throw new Error(`expected ${String(locator)} to read ${String(want)}, last read '${last}'`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling with a deadline
  }
}

function containing(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

async function waitLive(): Promise<void> {
  await page.locator('#conn[data-state="live"]').waitFor({ timeout: 10_000 });
}

/** No raw value a user should never see: null, undefined, NaN, an epoch time. */
async function rawValues(): Promise<string[]> {
  const text = (await page.locator('main').textContent()) ?? '';
  return [...text.matchAll(/\b(null|undefined|NaN|1[6-9]\d{8}(\.\d+)?|1[6-9]\d{11})\b/g)].map((m) => m[0]);
}

async function confirmDialog(): Promise<void> {
  const dialog = page.locator('dialog#confirm');
  await dialog.waitFor({ state: 'visible' });
  await dialog.getByRole('button', { name: 'Confirm' }).click();
}

async function startWorker(name: string): Promise<ServiceProcess> {
  const port = await freePort();
  return startService({
    entry,
    port,
    healthPath: '/healthz',
    env: {
      TASK_WORKER_REDIS_URL: server.url,
      TASK_WORKER_KEY_PREFIX: h.keys.prefix,
      TASK_WORKER_NAME: name,
      TASK_WORKER_QUEUES: 'default',
      TASK_WORKER_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS),
      TASK_WORKER_METRICS_HOST: '127.0.0.1',
      TASK_WORKER_METRICS_PORT: String(port),
      TASK_WORKER_LOG_LEVEL: 'warn',
    },
  });
}

describe('task monitor web UI in Chromium', () => {
  it('asks for credentials, then shows a worker appear live on the workers page', async () => {
    const anonymous = await fetch(`${base}/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await fetch(`${base}/events/stream`)).status).toBe(401);

    await page.goto('/');
    await hasText(page.locator('h1'), 'Workers');
    await waitLive();
    await mark();
    expect(await page.locator(`tr[data-worker="${WORKER}"]`).count()).toBe(0);
    worker = await startWorker(WORKER);
    const row = page.locator(`tr[data-worker="${WORKER}"][data-state="online"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('[data-field="concurrency"]').textContent()).toBe('4');
    expect(await row.locator('.badge').textContent()).toBe('online');
    expect(await stillMarked()).toBe(true);
    expect(await rawValues()).toEqual([]);
  });

  it('runs a task and shows its state change on the tasks page without a reload', async () => {
    await page.goto('/tasks');
    await waitLive();
    await mark();
    const id = await h.client.apply('demo.unreliable', { failAttempts: 0, sleepMs: 3000 });
    const row = page.locator(`tr[data-task="${id}"]`);
    await page.locator(`tr[data-task="${id}"][data-state="STARTED"]`).waitFor({ timeout: 15_000 });
    await page.locator(`tr[data-task="${id}"][data-state="SUCCESS"]`).waitFor({ timeout: 15_000 });
    expect(await row.locator('.badge').textContent()).toBe('SUCCESS');
    expect(await stillMarked()).toBe(true);
  });

  it('filters the task table by name and by state', async () => {
    const noop = await h.client.apply('noop', {});
    await waitFor(() => monitor.state.tasks.get(noop)?.state === 'SUCCESS', {
      timeoutMs: 15_000,
      what: 'noop done',
    });
    await page.goto('/tasks');
    await waitLive();
    await mark();
    expect(await page.locator('tr[data-task]').count()).toBeGreaterThanOrEqual(2);
    await page.locator('select[name=taskname]').selectOption('noop');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/taskname=noop/);
    await waitFor(
      async () => (await page.locator('tbody tr td:first-child').allInnerTexts()).every((n) => n === 'noop'),
      {
        timeoutMs: 5000,
        what: 'only noop rows',
      },
    );
    expect(await page.locator(`tr[data-task="${noop}"]`).count()).toBe(1);
    expect(await page.locator('.pager span').textContent()).toMatch(/^1–\d+ of \d+$/);
    // a filter that matches nothing says so
    await page.locator('select[name=state]').selectOption('REVOKED');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('text=No task matches.').waitFor();
    expect(await stillMarked()).toBe(true);
  });

  it('opens a failed task from the table and reads its traceback', async () => {
    const id = await h.client.apply('demo.unreliable', { failAttempts: 3 });
    ids.failed = id;
    await waitFor(() => monitor.state.tasks.get(id)?.state === 'FAILURE', {
      timeoutMs: 20_000,
      what: 'task failed for good',
    });
    await page.goto('/tasks?state=FAILURE');
    await page.locator(`tr[data-task="${id}"] a`).first().click();
    await page.waitForURL(new RegExp(`/tasks/${id}$`));
    await hasText(page.locator('main .badge').first(), 'FAILURE');
    const traceback = await page.locator('pre[aria-label=Traceback]').textContent();
    expect(traceback).toContain('demo failure on attempt 3 of the 3 asked for');
    expect(traceback).toMatch(/\n\s+at /); // a stack, not only the message
    expect(await page.locator('pre[aria-label=Exception]').textContent()).toContain('DemoTaskFailure');
    expect(await page.locator('.timeline li').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('a', { hasText: 'Open this job in bull-board' }).getAttribute('href')).toBe(
      `/queues/queue/default/${id}`,
    );
    expect(await rawValues()).toEqual([]);
  });

  it("shrinks a worker's pool from its page and sees its concurrency change", async () => {
    await page.goto('/tasks');
    await page.goto(`/workers/${encodeURIComponent(WORKER)}`);
    await waitLive();
    await mark();
    const concurrency = page
      .locator('#pool + dl [data-field="concurrency"], [data-field="concurrency"]')
      .first();
    expect(await concurrency.textContent()).toBe('4');
    // cancelling the dialog sends nothing
    await page.getByRole('button', { name: 'Shrink pool' }).click();
    await page.locator('dialog#confirm').getByRole('button', { name: 'Cancel' }).click();
    await hasText(page.locator('#reply'), 'Cancelled.');
    await page.getByRole('button', { name: 'Shrink pool' }).click();
    await hasText(page.locator('#confirm-text'), containing(`Shrink ${WORKER}'s pool?`));
    await confirmDialog();
    await hasText(page.locator('#reply'), `Shrinking '${WORKER}' worker's pool by 1`);
    await waitFor(async () => (await concurrency.textContent()) === '3', {
      timeoutMs: 10_000,
      what: 'concurrency 3',
    });
    expect(monitor.state.workers.get(WORKER)?.info.concurrency).toBe(3);
    expect(await stillMarked()).toBe(true);
  });

  it('revokes a task waiting in its queue from its page', async () => {
    const id = await h.client.apply('noop', {}, { delayMs: 600_000 });
    await page.goto(`/tasks/${id}`);
    await waitLive();
    await hasText(page.locator('main .badge').first(), 'PENDING');
    await hasText(page.locator('main'), containing('waits in its queue'));
    await page.getByRole('button', { name: 'Revoke' }).click();
    await confirmDialog();
    await hasText(page.locator('#reply'), `Revoked '${id}'`);
    await hasText(page.locator('main .badge').first(), 'REVOKED', 10_000);
    expect(monitor.state.tasks.get(id)?.state).toBe('REVOKED');
    expect(await h.client.result(id, ['default'])).toBeNull(); // removed from its queue
  });

  it('every page passes axe (no serious or critical violation) at 1280 and 390 px, without raw values', async () => {
    expect(workerStateIn(monitor, WORKER)).toBe('online');
    // a worker that shut down, so the pages show an offline one too
    const stopped = await h.startWorker({ name: 'web@stopped' });
    await stopped.stop();
    await waitFor(() => workerStateIn(monitor, 'web@stopped') === 'shutdown', {
      timeoutMs: 10_000,
      what: 'web@stopped shut down',
    });
    const pages = [
      ['workers', '/'],
      ['worker', `/workers/${encodeURIComponent(WORKER)}`],
      ['tasks', '/tasks'],
      ['task', `/tasks/${ids.failed}`],
      ['broker', '/broker'],
    ] as const;
    const dir = shotsDir || makeTempDir('monitor-shots');
    mkdirSync(dir, { recursive: true });
    const problems: string[] = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 1280 ? 800 : 844 });
      for (const [name, url] of pages) {
        await page.goto(url);
        await waitLive();
        await page.addScriptTag({ content: axeSource });
        const violations = (await page.evaluate(`axe
          .run(document, { resultTypes: ['violations'] })
          .then((r) => r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            targets: v.nodes.map((n) => n.target.join(' ')),
          })))`)) as { id: string; impact: string | null; targets: string[] }[];
        for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
          problems.push(`${name} @${width}px: ${v.id} (${v.impact}) ${v.targets.slice(0, 3).join(', ')}`);
        const overflow = (await page.evaluate(
          'document.documentElement.scrollWidth - window.innerWidth',
        )) as number;
        if (overflow > 0)
          problems.push(`${name} @${width}px: the page is ${overflow} px wider than the window`);
        const raw = await rawValues();
        if (raw.length > 0) problems.push(`${name} @${width}px: raw values ${raw.join(', ')}`);
        if (width === 1280) await page.screenshot({ path: path.join(dir, `task-monitor-${name}.png`) });
        else if (name === 'workers' || name === 'tasks')
          await page.screenshot({ path: path.join(dir, `task-monitor-${name}-390px.png`) });
      }
    }
    expect(problems).toEqual([]);
    if (!shotsDir) removeTempDir(dir);
  });
});
