// The out-of-the-box Alertmanager receiver: logs each webhook notification as one JSON line.
// `node alert-sink.js --check` is its healthcheck (exit 0 when the sink answers).

const http = require('node:http');

const port = Number(process.env.ALERT_SINK_PORT || 9095);

if (process.argv.includes('--check')) {
  http
    .get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) =>
      process.exit(res.statusCode === 200 ? 0 : 1),
    )
    .on('error', () => process.exit(1));
} else {
  http
    .createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/healthz') return res.end('ok\n');
      if (req.method !== 'POST') return res.writeHead(405).end();
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        try {
          const n = JSON.parse(body);
          for (const a of n.alerts || []) {
            console.log(
              JSON.stringify({
                status: a.status,
                labels: a.labels,
                summary: a.annotations?.summary,
                startsAt: a.startsAt,
              }),
            );
          }
          res.writeHead(200).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    })
    .listen(port, () => console.log(`alert-sink listening on :${port}`));
}
