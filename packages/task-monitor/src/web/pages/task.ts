import type { TaskRecord } from '../../state';
import { workerState } from '../../worker-state';
import { duration, esc, MISSING, show, timeHtml } from '../format';
import { controlForm, liveRegion, type PageContext, PageNotFound, type WebPage } from '../layout';
import { stateBadgeTask } from './tasks';

const TIMELINE: [keyof TaskRecord, string][] = [
  ['eta', 'ETA'],
  ['received', 'Received by the worker'],
  ['started', 'Started'],
  ['retried', 'Retried'],
  ['succeeded', 'Succeeded'],
  ['failed', 'Failed'],
  ['revoked', 'Revoked'],
];

function pre(text: string | null, label: string): string {
  if (text === null || text === '') return MISSING;
  return `<pre class="code" tabindex="0" aria-label="${esc(label)}">${esc(text)}</pre>`;
}

function facts(items: [string, string][]): string {
  return `<dl class="facts">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function bullBoardLink(queue: string | null, id: string): string {
  if (!queue) return '';
  return `<p><a href="/queues/queue/${encodeURIComponent(queue)}/${encodeURIComponent(id)}">Open this job in bull-board</a> (job internals: data, options, logs, attempts).</p>`;
}

function taskControls(id: string, task: TaskRecord | null, context: PageContext, finished: boolean): string {
  if (context.readOnly) return '<p class="note">Read-only mode: no control.</p>';
  const n = encodeURIComponent(id);
  const online = context.monitor.state.listWorkers(['online'], context.nowSeconds).map((w) => w.hostname);
  const forms = [];
  if (!finished) {
    forms.push(
      controlForm({
        action: `/api/task/revoke/${n}`,
        label: 'Revoke',
        confirm: `Revoke task ${id}? It will not run (or not run again).`,
        readOnly: false,
      }),
      controlForm({
        action: `/api/task/revoke/${n}?terminate=true`,
        label: 'Terminate',
        confirm: `Terminate task ${id}? A running execution is aborted.`,
        danger: true,
        readOnly: false,
      }),
    );
  }
  if (task && online.length > 0) {
    forms.push(
      controlForm({
        action: `/api/task/rate-limit/${encodeURIComponent(task.name)}`,
        label: 'Set rate limit',
        confirm: `Set the rate limit of ${task.name} on this worker?`,
        fields: `<label>Worker <select name="workername">${online
          .map((w) => `<option${w === task.worker ? ' selected' : ''}>${esc(w)}</option>`)
          .join(
            '',
          )}</select></label><label>Rate (10/s, 10/m, 10/h; 0 = none) <input name="ratelimit" required pattern="\\s*\\d+(\\.\\d+)?\\s*(/\\s*[smh])?\\s*" value="10/m"></label>`,
        readOnly: false,
      }),
    );
  }
  return forms.length > 0
    ? `<div class="controls">${forms.join('')}</div>`
    : '<p class="note">The task is finished: nothing to control.</p>';
}

const FINISHED = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

/** Flower's task page: arguments, result, exception and traceback, timeline, control. */
export const taskPage: WebPage = {
  name: 'task',
  path: '/tasks/:id',
  async render(req, context) {
    const id = String(req.params.id ?? '');
    const now = context.nowSeconds;
    const monitor = context.monitor;
    const task = monitor.state.tasks.get(id) ?? null;
    if (!task) {
      // not received by any worker yet: it may still be waiting in its queue
      const found = await monitor.client.result(id, monitor.queues());
      if (!found) throw new PageNotFound(`No task with id '${id}' is in the history or in a queue.`);
      const body = `${facts([
        ['State', stateBadgeTask(found.state)],
        ['Name', esc(found.name)],
        ['Queue', esc(found.queue)],
        ['Enqueued', timeHtml(found.job.timestamp ? found.job.timestamp / 1000 : null, now)],
        ['Args', pre(JSON.stringify(found.job.data ?? null), 'Arguments')],
      ])}
<p class="hint">No worker has received this task yet: it waits in its queue.</p>
${bullBoardLink(found.queue, id)}`;
      return {
        title: `Task ${id}`,
        section: 'tasks',
        live: ['tasks'],
        body: `${liveRegion('task-live', body)}<section aria-labelledby="control"><h2 id="control">Control</h2>${taskControls(id, null, context, FINISHED.has(found.state))}</section>`,
      };
    }
    const timeline = TIMELINE.filter(([k]) => typeof task[k] === 'number')
      .map(([k, label]) => ({ label, at: task[k] as number }))
      .sort((a, b) => a.at - b.at);
    const worker = task.worker ? monitor.state.workers.get(task.worker) : undefined;
    const workerText = task.worker
      ? `<a href="/workers/${encodeURIComponent(task.worker)}">${esc(task.worker)}</a>${worker ? ` (${workerState(worker, now) === 'online' ? 'online' : 'offline'})` : ''}`
      : MISSING;
    const body = `${facts([
      ['State', stateBadgeTask(task.state)],
      ['Name', esc(task.name)],
      ['Id', `<span class="mono">${esc(task.uuid)}</span>`],
      ['Queue', show(task.queue)],
      ['Worker', workerText],
      ['Retries', show(task.retries)],
      ['Runtime', duration(task.runtime)],
      ['Waited before start', duration(task.wait_time)],
      ['Terminated', task.terminated ? 'yes' : 'no'],
    ])}
<section aria-labelledby="args"><h2 id="args">Arguments</h2>${facts([
      ['Args', pre(task.args, 'Arguments')],
      ['Kwargs', pre(task.kwargs === '{}' ? null : task.kwargs, 'Keyword arguments')],
    ])}</section>
<section aria-labelledby="result"><h2 id="result">Result</h2>${pre(task.result, 'Result')}</section>
<section aria-labelledby="exception"><h2 id="exception">Exception</h2>${pre(task.exception, 'Exception')}
<h3>Traceback</h3>${pre(task.traceback, 'Traceback')}</section>
<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>${
      timeline.length > 0
        ? `<ol class="timeline">${timeline.map((e) => `<li><strong>${esc(e.label)}</strong> ${timeHtml(e.at, now)}</li>`).join('')}</ol><p class="hint">A retried task keeps the time of its last reception and start.</p>`
        : '<p class="empty">No event recorded yet.</p>'
    }</section>
${bullBoardLink(task.queue, task.uuid)}`;
    return {
      title: `Task ${task.name}`,
      section: 'tasks',
      live: ['tasks'],
      body: `${liveRegion('task-live', `${body}<section aria-labelledby="control"><h2 id="control">Control</h2>${taskControls(task.uuid, task, context, FINISHED.has(task.state))}</section>`)}`,
    };
  },
};
