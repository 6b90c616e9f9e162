import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  pick,
  prng,
  type RawRequest,
  type RedisServer,
  type ServiceProcess,
  sendRaw,
  startRedis,
  startService,
  waitFor,
} from '@reelwatch/testkit';
import { createHarness, type Harness } from '../../task-worker/test/helpers';

const entry = path.resolve(__dirname, '../dist/main.js');
const TOKEN = 'fuzz-token-1';

let server: RedisServer;
let h: Harness;
let monitor: ServiceProcess | undefined;

beforeAll(async () => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm -s build\` first`);
  server = await startRedis();
  h = await createHarness(server);
});
afterAll(async () => {
  await monitor?.stop();
  await h?.close();
  await server?.destroy();
});

/** One raw request with the monitor's bearer token. */
const send = (base: string, r: RawRequest) => sendRaw(base, r, { authorization: `Bearer ${TOKEN}` });

const BAD_VALUES = [
  '',
  '-1',
  '0',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '99999999999999999999999',
  '9007199254740993',
  '0x10',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%C0%AF',
  '%F0%9F%98%80',
  'null',
  'true',
  '[]',
  '{}',
  'unknown-state',
  'SUCCESS,FAILURE',
  '-received',
  'constructor',
  '__proto__',
  'a'.repeat(5_000),
];
const PARAM_NAMES = [
  'limit',
  'offset',
  'sort_by',
  'workername',
  'taskname',
  'state',
  'received_start',
  'received_end',
  'search',
  'status',
  'offline',
  'n',
  'min',
  'max',
  'queue',
  'ratelimit',
  'soft',
  'hard',
  'terminate',
  'x',
];
const GET_ROUTES = [
  '/api/workers',
  '/api/tasks',
  '/api/task/types',
  '/api/task/info/ID',
  '/api/task/result/ID',
  '/api/queues/length',
  '/api/broker',
];
const POST_ROUTES = [
  '/api/worker/shutdown/NAME',
  '/api/worker/pool/restart/NAME',
  '/api/worker/pool/grow/NAME',
  '/api/worker/pool/shrink/NAME',
  '/api/worker/pool/autoscale/NAME',
  '/api/worker/queue/add-consumer/NAME',
  '/api/worker/queue/cancel-consumer/NAME',
  '/api/task/async-apply/TASK',
  '/api/task/revoke/ID',
  '/api/task/rate-limit/TASK',
  '/api/task/timeout/TASK',
];
const PATH_VALUES = [
  'noop',
  'x',
  '%E0%A4%A',
  '%',
  '%2F..%2F',
  '..',
  'a'.repeat(3_000),
  '%00',
  'constructor',
  '__proto__',
];
const BODIES: Array<[string, string]> = [
  ['application/json', '{'],
  ['application/json', '{"n": [1, 2]}'],
  ['application/json', '{"n": {"$gt": 1}}'],
  ['application/json', '{"queue": ["a", "b"]}'],
  ['application/json', '{"kwargs": "not an object"}'],
  ['application/json', '{"kwargs": [1, 2, 3]}'],
  ['application/json', '{"args": "x"}'],
  ['application/json', '{"args": [null]}'],
  ['application/json', '{"options": {"countdown": "abc"}}'],
  ['application/json', '{"options": {"countdown": 1e309}}'],
  ['application/json', '{"options": {"countdown": -1, "queue": 5, "task_id": {"a": 1}}}'],
  ['application/json', '{"options": "x"}'],
  ['application/json', '{"__proto__": {"polluted": true}}'],
  ['application/json', 'null'],
  ['application/json', '[]'],
  ['application/json', '"string"'],
  ['application/json', '12'],
  ['application/json; charset=latin-9', '{}'],
  ['application/json', '\u0000\u0001'],
  ['application/x-www-form-urlencoded', 'n=1&n=2&queue[]=a&min=%zz'],
  ['application/x-www-form-urlencoded', '%'],
  ['text/plain', 'hello'],
  ['application/xml', '<a/>'],
  ['multipart/form-data; boundary=x', '--x\r\nbroken'],
];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A route with its placeholders filled (sometimes with a bad path value) and a random query string. */
function target(random: () => number, route: string, worker: string, task: string): string {
  const pathValue = () => (random() < 0.5 ? pick(random, PATH_VALUES) : undefined);
  const filled = route
    .replace('NAME', pathValue() ?? worker)
    .replace('TASK', pathValue() ?? 'noop')
    .replace('ID', pathValue() ?? task);
  const pairs: string[] = [];
  const n = Math.floor(random() * 5);
  for (let i = 0; i < n; i++) {
    const name = pick(random, PARAM_NAMES);
    const value = pick(random, BAD_VALUES);
    const style = random();
    // repeated keys and bracket keys: arrays and objects where a string is expected
    if (style < 0.15) pairs.push(`${name}=${value}`, `${name}=${value}`);
    else if (style < 0.25) pairs.push(`${name}[]=${value}`);
    else if (style < 0.3) pairs.push(`${name}[a][b]=${value}`);
    else pairs.push(`${name}=${value}`);
  }
  return pairs.length ? `${filled}?${pairs.join('&')}` : filled;
}

/** The generated requests: fuzzed parameters on every route, wrong methods, content types, bodies. */
function requests(random: () => number, worker: string, task: string, perRoute: number): RawRequest[] {
  const out: RawRequest[] = [];
  for (const route of GET_ROUTES) {
    for (let i = 0; i < perRoute; i++) out.push({ method: 'GET', path: target(random, route, worker, task) });
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      out.push({ method, path: target(random, route, worker, task) });
    }
  }
  // Control routes that stop or reshape the one worker go last, with valid names only sometimes.
  for (const route of POST_ROUTES) {
    for (let i = 0; i < perRoute; i++) {
      const [type, body] = random() < 0.7 ? pick(random, BODIES) : ['application/json', '{}'];
      out.push({
        method: 'POST',
        path: target(random, route, worker, task),
        headers: { 'content-type': type },
        body,
      });
    }
    for (const method of ['GET', 'PUT', 'DELETE'])
      out.push({ method, path: target(random, route, worker, task) });
  }
  // Oversized bodies and a very long query string.
  const huge = `{"kwargs": {"s": "${'x'.repeat(2 * 1024 * 1024)}"}}`;
  for (const route of ['/api/task/async-apply/noop', '/api/worker/pool/grow/NAME', '/api/task/revoke/ID']) {
    const p = route.replace('NAME', worker).replace('ID', task);
    out.push({ method: 'POST', path: p, headers: { 'content-type': 'application/json' }, body: huge });
    out.push({
      method: 'POST',
      path: p,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `queue=${'q'.repeat(2 * 1024 * 1024)}`,
    });
    out.push({ method: 'POST', path: `${p}?search=${'s'.repeat(100_000)}` });
  }
  out.push({ method: 'GET', path: `/api/tasks?${'a=1&'.repeat(20_000)}` });
  out.push({ method: 'GET', path: '/api/tasks?search=%' });
  out.push({ method: 'GET', path: '/api/%E0%A4%A' });
  // shutdown of the real worker last: after it, its control routes are 404s
  out.push({ method: 'POST', path: `/api/worker/shutdown/${worker}` });
  return out;
}

describe('task-monitor HTTP API under generated malformed requests', () => {
  it('answers every malformed parameter, wrong method, content type and oversized body with a 4xx, never a 5xx, and keeps serving', async () => {
    const port = await freePort();
    monitor = await startService({
      entry,
      port,
      healthPath: '/readyz',
      env: {
        TASK_MONITOR_REDIS_URL: server.url,
        TASK_MONITOR_KEY_PREFIX: h.keys.prefix,
        TASK_MONITOR_HOST: '127.0.0.1',
        TASK_MONITOR_PORT: String(port),
        TASK_MONITOR_AUTH_TOKEN: TOKEN,
        TASK_MONITOR_CONTROL_TIMEOUT_MS: '300',
        TASK_MONITOR_LOG_LEVEL: 'warn',
      },
    });
    const worker = await h.startWorker();
    const task = await h.client.apply('noop', {});
    await waitFor(
      async () => (await send(monitor!.url, { method: 'GET', path: `/api/task/info/${task}` })) === 200,
      {
        timeoutMs: 10_000,
        what: 'the task in the monitor',
      },
    );

    const all = requests(prng(13), worker.name, task, 60);
    const byStatus = new Map<number, number>();
    const failures: string[] = [];
    for (const r of all) {
      const status = await send(monitor.url, r);
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      // 2xx for what happens to be valid, 4xx for the rest; never a 5xx or a dropped connection
      // (0 is allowed only for oversized requests the server refuses before reading them)
      const oversized = (r.body?.length ?? 0) > 1_000_000 || r.path.length > 16_000;
      if (status >= 500 || (status === 0 && !oversized) || status < 200 || (status >= 300 && status < 400)) {
        if (status !== 0 || !oversized)
          failures.push(`${status} ${r.method} ${r.path.slice(0, 200)} ${String(r.body ?? '').slice(0, 80)}`);
      }
      if (!alive(monitor.pid))
        throw new Error(`the monitor died after ${r.method} ${r.path.slice(0, 200)}:\n${monitor.output()}`);
    }
    // Requests that are malformed whatever the state: each must be a 4xx. (Bracket keys such as
    // `state[]` are other, unknown names to express 5's simple query parser: ignored, as Flower does.)
    const malformed: RawRequest[] = [
      { method: 'GET', path: '/api/tasks?limit=-1' },
      { method: 'GET', path: '/api/tasks?offset=-5' },
      { method: 'GET', path: '/api/tasks?limit=0x10' },
      { method: 'GET', path: '/api/tasks?limit=1e309' },
      { method: 'GET', path: '/api/tasks?limit=1&limit=2' },
      { method: 'GET', path: '/api/tasks?state=SUCCESS&state=FAILURE' },
      { method: 'GET', path: '/api/tasks?state=DONE' },
      { method: 'GET', path: '/api/tasks?sort_by=__proto__' },
      { method: 'GET', path: '/api/tasks?received_start=soon' },
      { method: 'GET', path: '/api/workers?state=sleeping' },
      { method: 'GET', path: '/api/workers?workername=a&workername=b' },
      { method: 'GET', path: '/api/task/info/%E0%A4%A' },
      { method: 'POST', path: '/api/task/revoke/%' },
      {
        method: 'POST',
        path: '/api/task/async-apply/noop',
        headers: { 'content-type': 'application/json' },
        body: '{',
      },
      {
        method: 'POST',
        path: '/api/task/async-apply/noop',
        headers: { 'content-type': 'application/json' },
        body: '{"options": {"countdown": "soon"}}',
      },
      {
        method: 'POST',
        path: '/api/task/async-apply/noop',
        headers: { 'content-type': 'application/json' },
        body: `{"s": "${'x'.repeat(2_000_000)}"}`,
      },
      {
        method: 'POST',
        path: '/api/task/async-apply/noop',
        headers: { 'content-type': 'application/json; charset=koi8-r' },
        body: '{}',
      },
      {
        method: 'POST',
        path: '/api/task/async-apply/no-such-task',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      { method: 'POST', path: '/api/worker/pool/grow/no-such-worker?n=1' },
      {
        method: 'POST',
        path: `/api/task/rate-limit/noop?workername=${worker.name}&workername=x&ratelimit=1/m`,
      },
      { method: 'DELETE', path: '/api/tasks' },
      { method: 'GET', path: '/api/task/revoke/x' },
    ];
    const refused: string[] = [];
    for (const r of malformed) {
      const status = await send(monitor.url, r);
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      if (status < 400 || status >= 500) refused.push(`${status} ${r.method} ${r.path.slice(0, 100)}`);
    }
    expect(refused).toEqual([]);

    const healthz = await fetch(`${monitor.url}/healthz`);
    expect(healthz.status).toBe(200);
    const api = await fetch(`${monitor.url}/api/workers`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api.status).toBe(200);
    console.log(
      `task-monitor http fuzz: ${all.length + malformed.length} requests, answers by status ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`,
    );
    expect(failures).toEqual([]);
    expect(all.length).toBeGreaterThan(1_000);
  });
});
