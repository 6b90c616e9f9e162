import type { Request } from 'express';
import { HttpError } from '../../api/http';
import { filterTasks } from '../../api/tasks';
import type { TaskRecord } from '../../state';
import { count, duration, esc, MISSING, show, timeHtml } from '../format';
import { liveRegion, type PageContext, type WebPage } from '../layout';

export const TASK_STATES = [
  'PENDING',
  'RECEIVED',
  'STARTED',
  'SUCCESS',
  'FAILURE',
  'RETRY',
  'REVOKED',
] as const;
const PAGE_SIZES = [25, 50, 100] as const;
/** The page's own query parameters: the API's names, so a page and its /api/tasks twin agree. */
const FILTERS = [
  'taskname',
  'state',
  'workername',
  'search',
  'received_start',
  'received_end',
  'sort_by',
] as const;
const SORTS: [string, string][] = [
  ['', 'Received, newest first'],
  ['received', 'Received, oldest first'],
  ['-started', 'Started, newest first'],
  ['started', 'Started, oldest first'],
  ['-runtime', 'Runtime, longest first'],
  ['runtime', 'Runtime, shortest first'],
];

export function taskLink(id: string, text = id): string {
  return `<a href="/tasks/${encodeURIComponent(id)}" class="mono">${esc(text)}</a>`;
}

export function stateBadgeTask(state: string): string {
  // the state comes from Redis: only letters reach the class attribute
  return `<span class="badge task-${state.toLowerCase().replace(/[^a-z]/g, '')}">${esc(state)}</span>`;
}

/** A single query value (a repeated key is the last one); '' when absent. */
function one(req: Request, name: string): string {
  const value = req.query[name];
  if (Array.isArray(value)) return String(value[value.length - 1] ?? '');
  return typeof value === 'string' ? value : '';
}

/** A `datetime-local` value (no zone) is read as UTC, as the page labels it. */
export function utcInput(value: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)
    ? `${value}${value.length === 16 ? ':00' : ''}Z`
    : value;
}

export interface TaskQuery {
  values: Record<(typeof FILTERS)[number], string>;
  limit: number;
  offset: number;
}

export function taskQuery(req: Request): TaskQuery {
  const values = Object.fromEntries(FILTERS.map((f) => [f, one(req, f).trim()])) as TaskQuery['values'];
  const limitText = one(req, 'limit');
  const limit = PAGE_SIZES.find((s) => String(s) === limitText) ?? PAGE_SIZES[0];
  const offset = Math.max(0, Math.min(Number.parseInt(one(req, 'offset'), 10) || 0, Number.MAX_SAFE_INTEGER));
  return { values, limit, offset };
}

/**
 * The page's filter over the history, with the API's own filterTasks (the same matching and
 * sorting as `GET /api/tasks`): every match, for the count, and the page shown.
 */
export function pageOfTasks(
  tasks: Iterable<TaskRecord>,
  q: TaskQuery,
): { total: number; rows: TaskRecord[] } {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(q.values)) if (v) query[k] = v;
  if (query.received_start) query.received_start = utcInput(query.received_start);
  if (query.received_end) query.received_end = utcInput(query.received_end);
  const all = filterTasks(tasks, { query, body: undefined } as unknown as Request);
  return { total: all.length, rows: all.slice(q.offset, q.offset + q.limit) };
}

function href(q: TaskQuery, change: Partial<Record<string, string | number>>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q.values, limit: q.limit, offset: q.offset, ...change })) {
    if (
      v !== '' &&
      v !== undefined &&
      !(k === 'offset' && Number(v) === 0) &&
      !(k === 'limit' && Number(v) === PAGE_SIZES[0])
    )
      params.set(k, String(v));
  }
  const s = params.toString();
  return `/tasks${s ? `?${s}` : ''}`;
}

function sortHeader(q: TaskQuery, key: 'received' | 'started' | 'runtime', label: string): string {
  const current = q.values.sort_by || '-received';
  const desc = current === `-${key}`;
  const asc = current === key;
  const next = desc ? key : `-${key}`;
  const aria = desc ? ' aria-sort="descending"' : asc ? ' aria-sort="ascending"' : '';
  const mark = desc ? ' ▼' : asc ? ' ▲' : '';
  return `<th scope="col"${aria}><a href="${esc(href(q, { sort_by: next === '-received' ? '' : next, offset: 0 }))}">${label}${mark}</a></th>`;
}

function filtersForm(q: TaskQuery, names: string[], workers: string[]): string {
  const v = q.values;
  const opt = (value: string, text: string, selected: string) =>
    `<option value="${esc(value)}"${value === selected ? ' selected' : ''}>${esc(text)}</option>`;
  return `<form class="filters grid" method="get" action="/tasks" data-live-form role="search" aria-label="Filter tasks">
<label>Search (id, name, args) <input type="search" name="search" value="${esc(v.search)}"></label>
<label>Name <select name="taskname">${opt('', 'any', v.taskname)}${names.map((n) => opt(n, n, v.taskname)).join('')}</select></label>
<label>State <select name="state">${opt('', 'any', v.state)}${TASK_STATES.map((s) => opt(s, s, v.state)).join('')}</select></label>
<label>Worker <select name="workername">${opt('', 'any', v.workername)}${workers.map((w) => opt(w, w, v.workername)).join('')}</select></label>
<label>Received from (UTC) <input type="datetime-local" name="received_start" value="${esc(v.received_start.replace(/Z$/, ''))}"></label>
<label>Received until (UTC) <input type="datetime-local" name="received_end" value="${esc(v.received_end.replace(/Z$/, ''))}"></label>
<label>Sort <select name="sort_by">${SORTS.map(([value, text]) => opt(value, text, v.sort_by)).join('')}</select></label>
<label>Per page <select name="limit">${PAGE_SIZES.map((s) => opt(String(s), String(s), String(q.limit))).join('')}</select></label>
<div class="actions"><button>Filter</button><a href="/tasks" class="button secondary">Clear</a></div>
</form>`;
}

function argsText(args: string | null): string {
  if (args === null || args === '') return MISSING;
  return esc(args.length > 80 ? `${args.slice(0, 79)}…` : args);
}

function table(rows: TaskRecord[], total: number, q: TaskQuery, now: number): string {
  const from = total === 0 ? 0 : q.offset + 1;
  const to = Math.min(q.offset + q.limit, total);
  const pager = `<nav class="pager" aria-label="Pages of tasks"><span>${count(from)}–${count(to)} of ${count(total)}</span>${
    q.offset > 0
      ? `<a href="${esc(href(q, { offset: Math.max(0, q.offset - q.limit) }))}" rel="prev">Previous</a>`
      : ''
  }${to < total ? `<a href="${esc(href(q, { offset: q.offset + q.limit }))}" rel="next">Next</a>` : ''}</nav>`;
  if (rows.length === 0) return `${pager}<p class="empty">No task matches.</p>`;
  const body = rows
    .map(
      (t) => `<tr data-task="${esc(t.uuid)}" data-state="${esc(t.state)}">
<td>${esc(t.name)}</td>
<th scope="row">${taskLink(t.uuid, t.uuid.length > 13 ? `${t.uuid.slice(0, 12)}…` : t.uuid)}</th>
<td>${stateBadgeTask(t.state)}</td>
<td class="mono args">${argsText(t.args)}</td>
<td>${t.worker ? `<a href="/workers/${encodeURIComponent(t.worker)}">${esc(t.worker)}</a>` : MISSING}</td>
<td>${timeHtml(t.received, now)}</td>
<td>${timeHtml(t.started, now)}</td>
<td class="num">${duration(t.runtime)}</td>
<td class="num">${show(t.retries)}</td>
</tr>`,
    )
    .join('');
  return `${pager}<div class="scroll" role="region" aria-label="Tasks table" tabindex="0"><table class="tasks">
<caption class="sr-only">Tasks</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">State</th><th scope="col">Args</th><th scope="col">Worker</th>${sortHeader(q, 'received', 'Received')}${sortHeader(q, 'started', 'Started')}${sortHeader(q, 'runtime', 'Runtime')}<th scope="col">Retries</th></tr></thead>
<tbody>${body}</tbody></table></div>`;
}

/** Flower's tasks page: a server-side paged, filtered and sorted table of the history. */
export const tasksPage: WebPage = {
  name: 'tasks',
  path: '/tasks',
  render(req, context: PageContext) {
    const q = taskQuery(req);
    const monitor = context.monitor;
    const names = new Set(monitor.client.taskTypes());
    const workers = monitor.state.listWorkers(undefined, context.nowSeconds).map((w) => w.hostname);
    let result: string;
    let status: number | undefined;
    try {
      const { total, rows } = pageOfTasks(monitor.state.tasks.values(), q);
      result = table(rows, total, q, context.nowSeconds);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      status = err.status;
      result = `<p class="error" role="alert">${esc(err.message)}</p>`;
    }
    return {
      title: 'Tasks',
      section: 'tasks',
      live: ['tasks'],
      status,
      body: `${filtersForm(q, [...names].sort(), workers)}
<p class="hint">History of the last <code>TASK_MONITOR_MAX_TASKS</code> tasks, newest first. Times are UTC.</p>
${liveRegion('tasks-live', result)}`,
    };
  },
};
