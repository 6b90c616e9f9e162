import type { Request } from 'express';
import type { TaskMonitor } from '../monitor';
import { esc } from './format';

/** What a live region of a page follows: the stream's `change` events name these kinds. */
export type LiveKind = 'workers' | 'tasks' | 'broker';

/** What every page is rendered with. */
export interface PageContext {
  monitor: TaskMonitor;
  readOnly: boolean;
  /** TASK_MONITOR_PURGE_OFFLINE_WORKERS_SECONDS, as the monitor runs with it */
  purgeOfflineWorkersSeconds: number;
  nowSeconds: number;
}

/** A rendered page: its title, its <main> content and the kinds of change that refresh it. */
export interface RenderedPage {
  title: string;
  body: string;
  live: readonly LiveKind[];
  /** the nav entry shown as current */
  section: 'workers' | 'tasks' | 'broker';
  status?: number;
}

/** One page of the monitor: a route and how it is rendered. */
export interface WebPage {
  name: string;
  path: string;
  render(req: Request, context: PageContext): Promise<RenderedPage> | RenderedPage;
}

/** A page that does not exist (an unknown worker or task): rendered as a 404 page. */
export class PageNotFound extends Error {}

/** A page parameter the page cannot use: rendered as a 400 page with the reason. */
export class PageBadRequest extends Error {}

const NAV = [
  { section: 'workers', href: '/', text: 'Workers' },
  { section: 'tasks', href: '/tasks', text: 'Tasks' },
  { section: 'broker', href: '/broker', text: 'Broker' },
] as const;

/** The page shell: header, navigation, connection state, confirmation dialog, stylesheet and script. */
export function layout(page: RenderedPage, options: { readOnly: boolean; version: string }): string {
  const nav = NAV.map(
    (n) => `<a href="${n.href}"${n.section === page.section ? ' aria-current="page"' : ''}>${n.text}</a>`,
  ).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)} · Reelwatch task monitor</title>
<link rel="stylesheet" href="/static/monitor.css?v=${options.version}">
<script type="module" src="/static/monitor.js?v=${options.version}"></script>
</head><body data-live="${page.live.join(' ')}" data-read-only="${options.readOnly}">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<p class="brand"><a href="/">Reelwatch task monitor</a></p>
<nav aria-label="Main">${nav}<a href="/queues/">Queues (bull-board)</a><a href="/metrics">Metrics</a></nav>
<p class="conn" id="conn" role="status" data-state="connecting">Live updates: connecting…</p>
</header>
<main id="main" tabindex="-1">
<h1>${esc(page.title)}</h1>
${options.readOnly ? '<p class="note">Read-only mode (TASK_MONITOR_READ_ONLY): control is disabled.</p>' : ''}
<div id="reply" class="reply" role="status" aria-live="polite"></div>
${page.body}
</main>
<dialog id="confirm" aria-labelledby="confirm-title">
<form method="dialog">
<h2 id="confirm-title">Please confirm</h2>
<p id="confirm-text"></p>
<div class="actions"><button value="cancel" class="secondary">Cancel</button><button value="ok" id="confirm-ok">Confirm</button></div>
</form>
</dialog>
</body></html>`;
}

/**
 * A control form: posts to an API route after confirmation in the page's dialog, and shows the
 * reply. `fields` are the inputs (their names are the route's parameters).
 */
export function controlForm(options: {
  action: string;
  label: string;
  confirm: string;
  fields?: string;
  danger?: boolean;
  readOnly: boolean;
}): string {
  if (options.readOnly) return '';
  return `<form class="control" method="post" action="${esc(options.action)}" data-confirm="${esc(options.confirm)}">${options.fields ?? ''}<button${options.danger ? ' class="danger"' : ''}>${esc(options.label)}</button></form>`;
}

/** A live region: replaced in place by the page script when the kinds it follows change. */
export function liveRegion(id: string, html: string): string {
  return `<div id="${id}" data-region>${html}</div>`;
}
