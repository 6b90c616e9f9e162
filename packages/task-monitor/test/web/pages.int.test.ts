import { type RedisServer, startRedis, waitFor } from '@reelwatch/testkit';
import { createMonitorHarness, type MonitorHarness } from '../helpers';

// The pages and the live-update stream over plain HTTP (the browser test drives them in Chromium).
let server: RedisServer;
let h: MonitorHarness;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.destroy();
});
beforeEach(async () => {
  h = await createMonitorHarness(server);
});
afterEach(async () => {
  await h.close();
});

/** Reads an event stream until `done` says it has seen enough (or the deadline passes). */
async function readStream(
  url: string,
  done: (text: string) => boolean,
  timeoutMs = 10_000,
): Promise<{ status: number; type: string | null; text: string }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const res = await fetch(url, { signal: abort.signal });
  let text = '';
  try {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    while (!done(text)) {
      const { value, done: end } = await reader.read();
      if (end) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { status: res.status, type: res.headers.get('content-type'), text };
}

describe('web pages and /events/stream', () => {
  it('the stream says hello, then names the workers change when a worker comes online', async () => {
    const monitor = await h.startMonitor();
    const url = await h.serve(monitor);
    const started = h.startWorker({ name: 'worker@stream' });
    const { status, type, text } = await readStream(
      `${url}/events/stream`,
      (t) => /event: change\ndata: \{"kinds":\[[^\]]*"workers"/.test(t) && t.includes('event: hello'),
    );
    await started;
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/event-stream/);
    expect(text.startsWith('retry: 2000\nevent: hello\n')).toBe(true);
    expect(text).toMatch(/event: change\ndata: \{"kinds":\[[^\]]*"workers"/);
  });

  it('pages render the known worker and task, and say 404 for an unknown one', async () => {
    const monitor = await h.startMonitor();
    const url = await h.serve(monitor);
    await h.startWorker({ name: 'worker@pages' });
    const id = await h.client.apply('noop', {});
    await waitFor(() => monitor.state.tasks.get(id)?.state === 'SUCCESS', {
      timeoutMs: 10_000,
      what: 'noop',
    });
    const workers = await (await fetch(`${url}/`)).text();
    expect(workers).toContain('data-worker="worker@pages" data-state="online"');
    const worker = await fetch(`${url}/workers/${encodeURIComponent('worker@pages')}`);
    expect(worker.status).toBe(200);
    expect(await worker.text()).toContain('<span data-field="concurrency">2</span>');
    const tasks = await (await fetch(`${url}/tasks?taskname=noop`)).text();
    expect(tasks).toContain(`data-task="${id}" data-state="SUCCESS"`);
    const task = await fetch(`${url}/tasks/${id}`);
    expect(task.status).toBe(200);
    expect(await task.text()).toContain(`href="/queues/queue/default/${id}"`);
    const unknown = await fetch(`${url}/workers/nobody`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('No worker named &#39;nobody&#39; is known');
    expect((await fetch(`${url}/tasks/no-such-task`)).status).toBe(404);
    const broker = await fetch(`${url}/broker`);
    expect(broker.status).toBe(200);
    expect(await broker.text()).toContain('data-queue="default"');
  });

  it('a bad filter is a 400 page that says why, and a hidden offline worker is not listed', async () => {
    const monitor = await h.startMonitor();
    const url = await h.serve(monitor);
    const bad = await fetch(`${url}/tasks?state=DONE`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('unknown state &#39;DONE&#39;');
    const worker = await h.startWorker({ name: 'worker@gone' });
    await worker.stop();
    await waitFor(async () => (await (await fetch(`${url}/`)).text()).includes('data-state="shutdown"'), {
      timeoutMs: 10_000,
      what: 'worker shown shut down',
    });
    const hidden = await (await fetch(`${url}/?offline=false`)).text();
    expect(hidden).not.toContain('data-worker="worker@gone"');
    expect(hidden).toContain('(1 hidden)');
  });

  it('the stylesheet and the script are served by the monitor with an ETag', async () => {
    const monitor = await h.startMonitor();
    const url = await h.serve(monitor, { auth: { basic: ['u:p'], token: '' } });
    expect((await fetch(`${url}/static/monitor.js`)).status).toBe(401);
    const headers = { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
    const js = await fetch(`${url}/static/monitor.js`, { headers });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toContain("new EventSource('/events/stream')");
    const css = await fetch(`${url}/static/monitor.css`, { headers });
    const etag = css.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    expect(
      (await fetch(`${url}/static/monitor.css`, { headers: { ...headers, 'if-none-match': etag! } })).status,
    ).toBe(304);
  });
});
