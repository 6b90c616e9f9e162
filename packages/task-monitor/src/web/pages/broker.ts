import { workerState } from '../../worker-state';
import { duration, esc, show } from '../format';
import { liveRegion, type WebPage } from '../layout';
import { workerLink } from './workers';

/** Flower's broker page: each queue's length, oldest wait, delayed, failed and consumers. */
export const brokerPage: WebPage = {
  name: 'broker',
  path: '/broker',
  async render(_req, context) {
    const snapshot = await context.monitor.broker.snapshot(0);
    const consumers = new Map<string, string[]>();
    for (const w of context.monitor.state.listWorkers(['online'], context.nowSeconds)) {
      if (workerState(w, context.nowSeconds) !== 'online') continue;
      for (const q of w.info.queues) consumers.set(q, [...(consumers.get(q) ?? []), w.hostname]);
    }
    if (!snapshot.up) {
      return {
        title: 'Broker',
        section: 'broker',
        live: ['broker'],
        status: 503,
        body: liveRegion(
          'broker-live',
          '<p class="error" role="alert">Redis (the broker) does not answer: queue lengths are unknown.</p>',
        ),
      };
    }
    const rows = snapshot.queues
      .map((q) => {
        const names = consumers.get(q.name) ?? [];
        return `<tr data-queue="${esc(q.name)}"><th scope="row"><a href="/queues/queue/${encodeURIComponent(q.name)}">${esc(q.name)}</a></th>
<td class="num">${show(q.counts.waiting)}</td><td>${q.counts.waiting > 0 ? duration(q.oldestWaitingAgeSeconds) : 'nothing waits'}</td>
<td class="num">${show(q.counts.active)}</td><td class="num">${show(q.counts.delayed)}</td><td class="num">${show(q.counts.failed)}</td>
<td>${names.length > 0 ? `${names.length}: ${names.map(workerLink).join(', ')}` : '0'}</td></tr>`;
      })
      .join('');
    const mib =
      snapshot.usedMemoryBytes === null ? '—' : `${(snapshot.usedMemoryBytes / 1048576).toFixed(1)} MiB`;
    return {
      title: 'Broker',
      section: 'broker',
      live: ['broker', 'tasks', 'workers'],
      body: liveRegion(
        'broker-live',
        `<p class="summary">Redis: ${mib} used, ${show(snapshot.connectedClients)} clients connected.</p>
<div class="scroll" role="region" aria-label="Queues table" tabindex="0"><table><caption class="sr-only">Queues</caption>
<thead><tr><th scope="col">Queue</th><th scope="col">Length (waiting)</th><th scope="col">Oldest wait</th><th scope="col">Active</th><th scope="col">Delayed</th><th scope="col">Failed</th><th scope="col">Consumers (online workers)</th></tr></thead>
<tbody>${rows}</tbody></table></div>`,
      ),
    };
  },
};
