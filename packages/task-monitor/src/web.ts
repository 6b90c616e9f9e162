import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type express from 'express';
import type { TaskMonitor } from './monitor';

/** bull-board for queues and jobs, mounted at `basePath`. */
export function createQueueBoard(
  monitor: TaskMonitor,
  options: { basePath: string; readOnly: boolean },
): express.Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(options.basePath);
  createBullBoard({
    queues: monitor
      .queues()
      .map((q) => new BullMQAdapter(monitor.client.queue(q), { readOnlyMode: options.readOnly })),
    serverAdapter,
  });
  return serverAdapter.getRouter() as express.Router;
}

/** The workers and control page: a table refreshed from /api/workers, buttons calling the API. */
export function workersPage(options: { readOnly: boolean }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reelwatch task monitor</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left}th{background:#f4f4f4}
.on{color:#1a7f37;font-weight:600}.off{color:#b42318;font-weight:600}button{margin:0 .15rem}
nav a{margin-right:1rem}#msg{margin:1rem 0;color:#555}
</style></head><body>
<h1>Task monitor</h1>
<nav><a href="./">Workers</a><a href="./queues/">Queues and jobs (bull-board)</a><a href="./api/tasks?limit=100">Tasks (JSON)</a><a href="./metrics">Metrics</a></nav>
<div id="msg">${options.readOnly ? 'Read-only mode: control is disabled.' : ''}</div>
<table><thead><tr><th>Worker</th><th>Status</th><th>Concurrency</th><th>Queues</th><th>Active</th><th>Processed</th><th>Control</th></tr></thead>
<tbody id="workers"></tbody></table>
<h2>Broker</h2><p id="redis"></p>
<table><thead><tr><th>Queue</th><th>Waiting</th><th>Active</th><th>Delayed</th><th>Failed</th><th>Oldest waiting</th></tr></thead>
<tbody id="queues"></tbody></table>
<script>
const readOnly = ${options.readOnly ? 'true' : 'false'};
function esc(s){return String(s).replace(/[&<>"']/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]))}
async function call(path){
  const r = await fetch(path,{method:'POST',credentials:'same-origin'});
  const body = await r.json().catch(()=>({}));
  document.getElementById('msg').textContent = body.message || body.error || r.status;
  refresh();
}
function control(name){
  if (readOnly) return '';
  const n = encodeURIComponent(name);
  return '<button onclick="call(\\'api/worker/pool/grow/'+n+'?n=1\\')">grow</button>'
    + '<button onclick="call(\\'api/worker/pool/shrink/'+n+'?n=1\\')">shrink</button>'
    + '<button onclick="call(\\'api/worker/pool/restart/'+n+'\\')">restart pool</button>'
    + '<button onclick="if(confirm(\\'Shut down '+esc(name)+'?\\'))call(\\'api/worker/shutdown/'+n+'\\')">shut down</button>';
}
async function refresh(){
  const r = await fetch('api/workers',{credentials:'same-origin'});
  if (!r.ok) { document.getElementById('msg').textContent = 'api/workers: ' + r.status; return; }
  const workers = await r.json();
  document.getElementById('workers').innerHTML = Object.entries(workers).map(([name,w]) =>
    '<tr><td>'+esc(name)+'</td><td class="'+(w.status?'on">online':'off">offline')+'</td><td>'+esc(w.stats.pool['max-concurrency'])
    +'</td><td>'+esc(w.active_queues.map(q=>q.name).join(', '))+'</td><td>'+w.active.length+'</td><td>'
    +esc(Object.values(w.stats.total).reduce((a,b)=>a+b,0))+'</td><td>'+(w.status?control(name):'')+'</td></tr>').join('');
}
async function refreshBroker(){
  const r = await fetch('api/broker',{credentials:'same-origin'});
  if (!r.ok) { document.getElementById('redis').textContent = 'api/broker: ' + r.status; return; }
  const b = await r.json();
  document.getElementById('redis').textContent = 'Redis: ' + (b.redis.used_memory_bytes/1048576).toFixed(1) + ' MiB used, ' + b.redis.connected_clients + ' clients';
  document.getElementById('queues').innerHTML = b.queues.map(q => '<tr><td>'+esc(q.name)+'</td><td>'+q.waiting+'</td><td>'+q.active+'</td><td>'+q.delayed+'</td><td>'+q.failed+'</td><td>'+q.oldest_waiting_age_seconds.toFixed(1)+' s</td></tr>').join('');
}
function tick(){ refresh(); refreshBroker(); }
tick(); setInterval(tick, 2000);
</script></body></html>`;
}
