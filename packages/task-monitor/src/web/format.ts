/**
 * What the pages show instead of raw values: every missing value is an em dash, every time is
 * relative and absolute UTC, every duration has a unit. No page prints `null`, `undefined` or an
 * epoch number.
 */

export const MISSING = '—';

// one formatter: Number#toLocaleString builds a new one per call (tens of µs each)
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** A number with thousands separators: `12,345`. */
export function count(value: number): string {
  return NUMBER.format(value);
}

/** HTML-escapes text (element content and quoted attribute values). */
export function esc(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** A value as escaped text; null, undefined, '' and NaN show as an em dash. */
export function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return MISSING;
  if (typeof value === 'number' && !Number.isFinite(value)) return MISSING;
  if (typeof value === 'number') return count(value);
  return esc(value);
}

/** Unix seconds as `2026-12-03 17:05:01 UTC`. */
export function utc(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** How long ago (or in how long) a time is, in words: `12 s ago`, `in 3 min`. */
export function relative(seconds: number, nowSeconds: number): string {
  const delta = nowSeconds - seconds;
  const abs = Math.abs(delta);
  let text: string;
  if (abs < 1) return 'just now';
  if (abs < 60) text = `${Math.floor(abs)} s`;
  else if (abs < 3600) text = `${Math.floor(abs / 60)} min`;
  else if (abs < 86_400) text = `${Math.floor(abs / 3600)} h`;
  else text = `${Math.floor(abs / 86_400)} d`;
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/**
 * A time as `<time>`: relative text (kept current by the page script from `data-ts`) and the
 * absolute UTC time beside it; an em dash when there is none.
 */
export function timeHtml(seconds: number | null | undefined, nowSeconds: number): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return MISSING;
  const iso = new Date(seconds * 1000).toISOString();
  return `<time datetime="${iso}" data-ts="${seconds}">${relative(seconds, nowSeconds)}</time> <span class="utc">${utc(seconds)}</span>`;
}

/** A duration in seconds with its unit: `850 ms`, `2.4 s`, `3 min 5 s`. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return MISSING;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const whole = Math.round(seconds);
  const [big, small, bigUnit, smallUnit] =
    whole < 3600
      ? [Math.floor(whole / 60), whole % 60, 'min', 's']
      : [Math.floor(whole / 3600), Math.round((whole % 3600) / 60), 'h', 'min'];
  return small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
}

/** Words for a worker state (worker-state.ts decides it; this only names it). */
export const WORKER_STATE_TEXT = { online: 'online', shutdown: 'shut down', lost: 'lost' } as const;
