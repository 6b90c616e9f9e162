// Demo traffic for the task queue: nothing in the pipeline enqueues tasks by itself, so this loop
// asks task-monitor (Flower's POST /api/task/async-apply/:name) for a few tasks every interval.
// Only in Compose, so the Task queue dashboard has something to show; delete the service to stop it.
//
// `node task-traffic.js --check` is its container healthcheck: after every batch that task-monitor
// accepted, the loop writes the time by which the next one is due to a heartbeat file; the check
// exits 0 while that time has not passed (3 intervals: one failed batch is not yet unhealthy).

const fs = require('node:fs');

const heartbeatFile = process.env.TASK_TRAFFIC_HEARTBEAT_FILE || '/tmp/task-traffic.heartbeat';

if (process.argv.includes('--check')) {
  let due = Number.NaN;
  try {
    due = Number(fs.readFileSync(heartbeatFile, 'utf8').trim());
  } catch {
    console.error('no batch accepted yet');
    process.exit(1);
  }
  if (!(Date.now() / 1000 <= due)) {
    console.error(`no batch accepted since ${new Date((due - 3 * intervalSeconds()) * 1000).toISOString()}`);
    process.exit(1);
  }
  process.exit(0);
}

function intervalSeconds() {
  const n = Number(process.env.TASK_TRAFFIC_INTERVAL_SECONDS || 5);
  return Number.isFinite(n) && n > 0 ? n : 5;
}

const monitor = process.env.TASK_MONITOR_URL || 'http://task-monitor:5555';
const intervalMs = intervalSeconds() * 1000;
const auth = (process.env.TASK_MONITOR_BASIC_AUTH || '').split(',')[0];
const headers = { 'content-type': 'application/json' };
if (auth) headers.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;

const movies = ['the+matrix+1999', 'alien+1979', 'heat+1995', 'amelie+2001'];

async function apply(name, kwargs) {
  try {
    const res = await fetch(`${monitor}/api/task/async-apply/${name}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ kwargs }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) console.error(`task-traffic: ${name} answered ${res.status}`);
    return res.ok;
  } catch (err) {
    console.error(`task-traffic: ${name} failed: ${err.message}`);
    return false;
  }
}

function heartbeat() {
  const due = Math.ceil(Date.now() / 1000 + 3 * intervalSeconds());
  try {
    fs.writeFileSync(`${heartbeatFile}.tmp`, `${due}\n`);
    fs.renameSync(`${heartbeatFile}.tmp`, heartbeatFile);
  } catch (err) {
    console.error(`task-traffic: cannot write ${heartbeatFile}: ${err.message}`);
  }
}

// A realistic mix for the dashboards and the fault runs: most demo.unreliable tasks succeed at once,
// some are retried once and succeed (12%), some fail for good after their 3 attempts (8%), and a
// few are slow (5%, 5 s each attempt).
function unreliableArgs() {
  const r = Math.random();
  const failAttempts = r < 0.08 ? 3 : r < 0.2 ? 1 : 0;
  return { failAttempts, sleepMs: Math.random() < 0.05 ? 5000 : 0 };
}

async function tick() {
  const ok = [await apply('noop', {})];
  ok.push(await apply('ratings.refresh', { movieId: movies[Math.floor(Math.random() * movies.length)] }));
  ok.push(await apply('demo.unreliable', unreliableArgs()));
  if (ok.every(Boolean)) heartbeat();
}

console.log(`task-traffic: enqueueing through ${monitor} every ${intervalMs / 1000}s`);
tick();
setInterval(tick, intervalMs);
