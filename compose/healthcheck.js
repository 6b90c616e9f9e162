// Container healthcheck of every Reelwatch service (exit 0 = healthy), in one of two modes:
// - a server: HEALTHCHECK_URL (default http://127.0.0.1:$PORT/healthz) answers 2xx;
// - a job without a server: HEALTHCHECK_HEARTBEAT_FILE holds the Unix time (seconds) by which the
//   job promises its next heartbeat, and that time has not passed. The job's loop rewrites the
//   file after every successful run (see training-snapshot in compose/docker-compose.yml), so a
//   loop that stops, hangs or keeps failing turns the container unhealthy.

const fs = require('node:fs');

const heartbeatFile = process.env.HEALTHCHECK_HEARTBEAT_FILE;
if (heartbeatFile) {
  let due = Number.NaN;
  try {
    due = Number(fs.readFileSync(heartbeatFile, 'utf8').trim());
  } catch (err) {
    console.error(`no heartbeat yet (${err.code || err.message})`);
    process.exit(1);
  }
  const now = Date.now() / 1000;
  if (!Number.isFinite(due) || now > due) {
    console.error(`heartbeat overdue: due at ${due}, now ${Math.floor(now)}`);
    process.exit(1);
  }
  process.exit(0);
}

const url = process.env.HEALTHCHECK_URL || `http://127.0.0.1:${process.env.PORT || 8080}/healthz`;
fetch(url, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  (err) => {
    console.error(`${url}: ${err.cause?.code || err.message}`);
    process.exit(1);
  },
);
