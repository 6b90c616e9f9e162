/**
 * The pages' one script (an ES module served at /static/monitor.js, no framework): live updates
 * from /events/stream with the connection state shown, live regions swapped in place, relative
 * times kept current, filters and paging without a full reload, and control forms that ask for
 * confirmation in a dialog and show the reply.
 */
export const MONITOR_CLIENT_JS = `
const conn = document.getElementById('conn');
const reply = document.getElementById('reply');
const dialog = document.getElementById('confirm');
const kinds = (document.body.dataset.live || '').split(' ').filter(Boolean);

function setConn(state, text) {
  conn.dataset.state = state;
  conn.textContent = 'Live updates: ' + text;
}

function relative(ts) {
  const delta = Date.now() / 1000 - ts;
  const abs = Math.abs(delta);
  if (abs < 1) return 'just now';
  let text;
  if (abs < 60) text = Math.floor(abs) + ' s';
  else if (abs < 3600) text = Math.floor(abs / 60) + ' min';
  else if (abs < 86400) text = Math.floor(abs / 3600) + ' h';
  else text = Math.floor(abs / 86400) + ' d';
  return delta >= 0 ? text + ' ago' : 'in ' + text;
}
function tickTimes() {
  for (const t of document.querySelectorAll('time[data-ts]')) {
    const text = relative(Number(t.dataset.ts));
    if (t.textContent !== text) t.textContent = text;
  }
}
setInterval(tickTimes, 1000);

let inflight = null;
let again = null;
/** Fetches the page again and swaps its live regions (and, after navigation, its filter forms). */
async function refresh(url, navigated) {
  if (inflight) { again = { url: url || (again && again.url), navigated: navigated || (again && again.navigated) }; return inflight; }
  inflight = (async () => {
    const r = await fetch(url || location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
    const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
    const active = document.activeElement;
    const selector = navigated ? '[data-region],[data-live-form]' : '[data-region]';
    for (const region of document.querySelectorAll(selector)) {
      // never swap what the user is typing into, nor under an open dialog
      if (dialog.open) continue;
      if (region.contains(active) && active.matches('input,select,textarea')) continue;
      const fresh = region.id ? doc.getElementById(region.id) : null;
      if (fresh) region.replaceWith(document.adoptNode(fresh));
    }
    tickTimes();
    document.body.dataset.refreshedAt = String(Date.now());
  })();
  try { await inflight; } catch (err) { console.warn('refresh failed', err); }
  finally {
    inflight = null;
    if (again) { const next = again; again = null; refresh(next.url, next.navigated); }
  }
}

let source = null;
function connect() {
  setConn('connecting', 'connecting…');
  source = new EventSource('/events/stream');
  source.addEventListener('hello', () => {
    const first = !conn.dataset.connectedOnce;
    conn.dataset.connectedOnce = '1';
    setConn('live', 'connected');
    if (!first) refresh(); // changes may have been missed while disconnected
  });
  source.addEventListener('change', (e) => {
    const data = JSON.parse(e.data);
    if (data.kinds.some((k) => kinds.includes(k))) refresh();
  });
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      setConn('closed', 'disconnected, retrying in 5 s');
      setTimeout(connect, 5000);
    } else {
      setConn('reconnecting', 'reconnecting…');
    }
  };
}
if (kinds.length > 0) connect();
else setConn('closed', 'off on this page');

/** Same page, other query: paging and sorting links swap the regions instead of reloading. */
function navigate(url) {
  history.pushState(null, '', url);
  return refresh(url, true);
}
window.addEventListener('popstate', () => refresh(location.href, true));

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname !== location.pathname || !url.search && !location.search) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

document.addEventListener('change', (e) => {
  if (e.target.matches('[data-autosubmit]')) e.target.form.requestSubmit();
});

function confirmDialog(text) {
  return new Promise((resolve) => {
    document.getElementById('confirm-text').textContent = text;
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    document.getElementById('confirm-ok').focus();
  });
}

function showReply(ok, text) {
  reply.className = 'reply ' + (ok ? 'ok' : 'failed');
  reply.textContent = text;
}

document.addEventListener('submit', async (e) => {
  const form = e.target;
  if (form.matches('[data-live-form]')) {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v !== '') params.append(k, String(v));
    const query = params.toString();
    navigate(form.getAttribute('action') + (query ? '?' + query : ''));
    return;
  }
  if (!form.matches('form.control')) return;
  e.preventDefault();
  const fields = [...new FormData(form)].filter(([, v]) => v !== '').map(([k, v]) => k + ' = ' + v);
  const question = form.dataset.confirm + (fields.length ? ' (' + fields.join(', ') + ')' : '');
  if (!(await confirmDialog(question))) { showReply(false, 'Cancelled.'); return; }
  showReply(true, 'Sending…');
  try {
    const r = await fetch(form.getAttribute('action'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
      body: new URLSearchParams(new FormData(form)),
    });
    const body = await r.json().catch(() => ({}));
    showReply(r.ok, (r.ok ? '' : 'Failed (' + r.status + '): ') + (body.message || body.error || r.statusText));
  } catch (err) {
    showReply(false, 'Failed: ' + err.message);
  }
  refresh();
});
`;
