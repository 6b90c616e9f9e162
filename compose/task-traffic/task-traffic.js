// Demo traffic for the task queue: nothing in the pipeline enqueues tasks by itself, so this loop
// asks task-monitor (Flower's POST /api/task/async-apply/:name) for a few tasks every interval.
// Only in Compose, so the Task queue dashboard has something to show; delete the service to stop it.

const monitor = process.env.TASK_MONITOR_URL || 'http://task-monitor:5555';
const intervalMs = Number(process.env.TASK_TRAFFIC_INTERVAL_SECONDS || 5) * 1000;
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
  } catch (err) {
    console.error(`task-traffic: ${name} failed: ${err.message}`);
  }
}

async function tick() {
  await apply('noop', {});
  await apply('ratings.refresh', { movieId: movies[Math.floor(Math.random() * movies.length)] });
}

console.log(`task-traffic: enqueueing through ${monitor} every ${intervalMs / 1000}s`);
tick();
setInterval(tick, intervalMs);
