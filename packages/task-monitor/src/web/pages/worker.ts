import { workerState } from '../../worker-state';
import { duration, esc, MISSING, show, timeHtml } from '../format';
import { controlForm, liveRegion, type PageContext, PageNotFound, type WebPage } from '../layout';
import { taskLink } from './tasks';
import { failuresByWorker, poolLoad, stateBadge } from './workers';

function dl(items: [string, string][]): string {
  return `<dl class="facts">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function section(id: string, title: string, html: string): string {
  return `<section aria-labelledby="${id}"><h2 id="${id}">${esc(title)}</h2>${html}</section>`;
}

function limitsTable(caption: string, head: string[], rows: string[][]): string {
  if (rows.length === 0) return `<p class="empty">No ${esc(caption.toLowerCase())} set.</p>`;
  return `<div class="scroll"><table><caption class="sr-only">${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`,
    )
    .join('')}</tbody></table></div>`;
}

function numberField(name: string, label: string, value: number, min = 0): string {
  return `<label>${esc(label)} <input type="number" name="${name}" value="${value}" min="${min}" max="1000" required></label>`;
}

function controls(name: string, context: PageContext, online: boolean, concurrency: number): string {
  if (context.readOnly) return '<p class="note">Read-only mode: no control.</p>';
  if (!online) return '<p class="note">The worker is offline: it cannot take commands.</p>';
  const n = encodeURIComponent(name);
  const ro = context.readOnly;
  return `<div class="controls">
${controlForm({ action: `/api/worker/pool/grow/${n}`, label: 'Grow pool', confirm: `Grow ${name}'s pool?`, fields: numberField('n', 'by', 1, 1), readOnly: ro })}
${controlForm({ action: `/api/worker/pool/shrink/${n}`, label: 'Shrink pool', confirm: `Shrink ${name}'s pool?`, fields: numberField('n', 'by', 1, 1), readOnly: ro })}
${controlForm({ action: `/api/worker/pool/autoscale/${n}`, label: 'Autoscale', confirm: `Set ${name}'s autoscale range?`, fields: numberField('min', 'min', 1) + numberField('max', 'max', Math.max(concurrency, 1)), readOnly: ro })}
${controlForm({ action: `/api/worker/pool/restart/${n}`, label: 'Restart pool', confirm: `Restart ${name}'s pool? Running tasks finish first.`, readOnly: ro })}
${controlForm({ action: `/api/worker/shutdown/${n}`, label: 'Shut down', confirm: `Shut down ${name}? It stops taking tasks and exits.`, danger: true, readOnly: ro })}
</div>`;
}

/** Flower's worker page: its tabs (pool, queues, tasks, limits, config) as sections, with control. */
export const workerPage: WebPage = {
  name: 'worker',
  path: '/workers/:name',
  render(req, context) {
    const name = String(req.params.name ?? '');
    const worker = context.monitor.state.workers.get(name);
    if (!worker) throw new PageNotFound(`No worker named '${name}' is known (it may have been purged).`);
    const now = context.nowSeconds;
    const state = workerState(worker, now);
    const online = state === 'online';
    const info = worker.info;
    const n = encodeURIComponent(name);
    const ro = context.readOnly || !online;
    const failed = failuresByWorker(context).get(name) ?? 0;
    const scheduled = [...context.monitor.state.tasks.values()].filter(
      (t) =>
        t.worker === name && t.eta !== null && t.eta > now && (t.state === 'RECEIVED' || t.state === 'RETRY'),
    );

    const pool = dl([
      ['Status', stateBadge(state)],
      ['Concurrency', `<span data-field="concurrency">${show(info.concurrency)}</span>`],
      ['Autoscale', info.autoscale ? `${show(info.autoscale.min)}–${show(info.autoscale.max)}` : 'off'],
      ['Prefetch multiplier', show(info.prefetchMultiplier)],
      ['Active', online ? show(worker.active) : MISSING],
      ['Load', poolLoad(worker, online)],
      ['Processed', show(worker.processed)],
      ['Failed (in history)', show(failed)],
      ['Host / PID', `${show(info.host)} / ${esc(info.pid)}`],
      ['Started', timeHtml(info.startedAt, now)],
      ['Uptime', online ? duration(info.timestamp - info.startedAt) : MISSING],
      ['Last heartbeat', timeHtml(worker.lastHeartbeat, now)],
      ['Heartbeat every', duration(worker.freq)],
    ]);
    const queueRows = info.queues.map((q) => [
      esc(q),
      controlForm({
        action: `/api/worker/queue/cancel-consumer/${n}`,
        label: 'Cancel consumer',
        confirm: `Stop ${name} consuming from ${q}?`,
        fields: `<input type="hidden" name="queue" value="${esc(q)}">`,
        readOnly: ro,
      }) || MISSING,
    ]);
    const queues =
      limitsTable('Consumed queues', ['Queue', 'Control'], queueRows) +
      controlForm({
        action: `/api/worker/queue/add-consumer/${n}`,
        label: 'Add consumer',
        confirm: `Make ${name} consume from this queue?`,
        fields: '<label>Queue <input name="queue" required pattern="[A-Za-z0-9_.:\\-]+"></label>',
        readOnly: ro,
      });
    const active = online ? info.activeTasks : [];
    const tasks = `${limitsTable(
      'Active tasks',
      ['Task', 'Name', 'Started'],
      active.map((t) => [taskLink(t.id), esc(t.name), timeHtml(t.startedAt, now)]),
    )}
<p>Reserved (taken from the queue, waiting for a pool slot or a rate limit): <strong>${online ? show(info.reserved) : MISSING}</strong></p>
<h3>Scheduled (ETA in the future)</h3>
${limitsTable(
  'Scheduled tasks',
  ['Task', 'Name', 'ETA'],
  scheduled.map((t) => [taskLink(t.uuid), esc(t.name), timeHtml(t.eta, now)]),
)}`;
    const limits = `<h3>Rate limits</h3>${limitsTable(
      'Rate limits',
      ['Task', 'Rate limit'],
      Object.entries(info.rateLimits).map(([task, rate]) => [esc(task), show(rate)]),
    )}<h3>Time limits</h3>${limitsTable(
      'Time limits',
      ['Task', 'Soft', 'Hard'],
      Object.entries(info.timeLimits).map(([task, l]) => [esc(task), duration(l.soft), duration(l.hard)]),
    )}`;
    const config = dl([
      ['Registered tasks', info.registered.length > 0 ? info.registered.map(esc).join(', ') : MISSING],
      ['Queues', info.queues.length > 0 ? info.queues.map(esc).join(', ') : MISSING],
      ['Prefetch count', show(info.concurrency * info.prefetchMultiplier)],
      [
        'Executions per task',
        Object.entries(info.total)
          .map(([k, v]) => `${esc(k)}: ${show(v)}`)
          .join(', ') || MISSING,
      ],
    ]);
    return {
      title: `Worker ${name}`,
      section: 'workers',
      live: ['workers', 'tasks'],
      body: liveRegion(
        'worker-live',
        `${section('pool', 'Pool', pool)}
${section('control', 'Control', controls(name, context, online, info.concurrency))}
${section('queues', 'Queues', queues)}
${section('tasks', 'Tasks', tasks)}
${section('limits', 'Limits', limits)}
${section('config', 'Configuration', config)}`,
      ),
    };
  },
};
