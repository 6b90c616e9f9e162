import { HttpError } from '../../api/http';
import { workerStatesParam } from '../../api/workers';
import type { WorkerRecord } from '../../state';
import { workerState } from '../../worker-state';
import { duration, esc, show, timeHtml, WORKER_STATE_TEXT } from '../format';
import { liveRegion, PageBadRequest, type PageContext, type WebPage } from '../layout';

/** Failed tasks per worker in the monitor's history. */
export function failuresByWorker(context: PageContext): Map<string, number> {
  const failed = new Map<string, number>();
  for (const t of context.monitor.state.tasks.values()) {
    if (t.state === 'FAILURE' && t.worker) failed.set(t.worker, (failed.get(t.worker) ?? 0) + 1);
  }
  return failed;
}

/** A worker's pool load: tasks executing over its concurrency. */
export function poolLoad(worker: WorkerRecord, online: boolean): string {
  if (!online) return '—';
  const concurrency = worker.info.concurrency;
  if (concurrency <= 0) return '—';
  return `${Math.round((worker.active / concurrency) * 100)} %`;
}

export function workerLink(name: string): string {
  return `<a href="/workers/${encodeURIComponent(name)}">${esc(name)}</a>`;
}

export function stateBadge(state: keyof typeof WORKER_STATE_TEXT): string {
  return `<span class="badge state-${state}">${WORKER_STATE_TEXT[state]}</span>`;
}

function table(workers: WorkerRecord[], context: PageContext): string {
  if (workers.length === 0) return '<p class="empty">No workers to show.</p>';
  const failed = failuresByWorker(context);
  const rows = workers.map((w) => {
    const state = workerState(w, context.nowSeconds);
    const online = state === 'online';
    return `<tr data-worker="${esc(w.hostname)}" data-state="${state}">
<th scope="row">${workerLink(w.hostname)}</th>
<td>${stateBadge(state)}</td>
<td data-field="concurrency">${show(w.info.concurrency)}${w.info.autoscale ? ` <span class="muted">(autoscale ${show(w.info.autoscale.min)}–${show(w.info.autoscale.max)})</span>` : ''}</td>
<td>${w.info.queues.length > 0 ? w.info.queues.map(esc).join(', ') : '—'}</td>
<td class="num">${online ? show(w.active) : '—'}</td>
<td class="num">${show(w.processed)}</td>
<td class="num">${show(failed.get(w.hostname) ?? 0)}</td>
<td class="num">${poolLoad(w, online)}</td>
<td>${timeHtml(w.lastHeartbeat, context.nowSeconds)}</td>
</tr>`;
  });
  return `<div class="scroll" role="region" aria-label="Workers table" tabindex="0"><table>
<caption class="sr-only">Workers</caption>
<thead><tr><th scope="col">Worker</th><th scope="col">Status</th><th scope="col">Concurrency</th><th scope="col">Queues</th><th scope="col">Active</th><th scope="col">Processed</th><th scope="col">Failed</th><th scope="col">Load</th><th scope="col">Last heartbeat</th></tr></thead>
<tbody>${rows.join('')}</tbody></table></div>`;
}

/** Flower's workers page: every known worker, online or not, refreshed live. */
export const workersPage: WebPage = {
  name: 'workers',
  path: '/',
  render(req, context) {
    const hideOffline = req.query.offline === 'false';
    let states: ReturnType<typeof workerStatesParam>;
    try {
      states = workerStatesParam(hideOffline ? 'false' : undefined, undefined);
    } catch (err) {
      throw new PageBadRequest(err instanceof HttpError ? err.message : String(err));
    }
    const all = context.monitor.state.listWorkers(undefined, context.nowSeconds);
    const shown = context.monitor.state.listWorkers(states, context.nowSeconds);
    const online = all.filter((w) => workerState(w, context.nowSeconds) === 'online').length;
    const summary = `<p class="summary">${online} online, ${all.length - online} offline${hideOffline && all.length > shown.length ? ` (${all.length - shown.length} hidden)` : ''}.</p>`;
    return {
      title: 'Workers',
      section: 'workers',
      live: ['workers', 'tasks'],
      body: `<form class="filters" method="get" action="/" data-live-form>
<label class="check"><input type="checkbox" name="offline" value="false" data-autosubmit${hideOffline ? ' checked' : ''}> Hide offline workers</label>
<button class="secondary">Apply</button>
</form>
<p class="hint">Offline workers (shut down, or lost: heartbeats stopped without a goodbye) are purged after ${duration(context.purgeOfflineWorkersSeconds)} (<code>TASK_MONITOR_PURGE_OFFLINE_WORKERS_SECONDS</code>=${context.purgeOfflineWorkersSeconds}). Load is active tasks over concurrency.</p>
${liveRegion('workers-live', summary + table(shown, context))}`,
    };
  },
};
