import type { StackComponent } from '../components';

export const PORTS_BEGIN = '<!-- ports:begin -->';
export const PORTS_END = '<!-- ports:end -->';

/**
 * The README Ports table, from the component list: every component with a port in Compose, the
 * ones Compose publishes (user-facing) first, each group in list order.
 */
export function renderPortsTable(components: readonly StackComponent[]): string {
  const published = components.filter((c) => c.compose.published);
  const internal = components.filter((c) => !c.compose.published);
  const rows = [...published, ...internal].flatMap((c) => {
    const port = c.compose.port;
    if (port === undefined) return [];
    const host = c.compose.published ? String(port) : '—';
    const native = c.docs.native ?? String(c.nativePort);
    return [`| ${c.docs.label} | ${port} | ${host} | ${native} |`];
  });
  return [
    '| component | port | Compose host port | native (`pnpm stack up`) |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** `text` with what lies between the ports markers replaced by `table`. */
export function replacePortsTable(text: string, table: string): string {
  const begin = text.indexOf(PORTS_BEGIN);
  const end = text.indexOf(PORTS_END);
  if (begin < 0 || end < begin) throw new Error(`no ${PORTS_BEGIN} ... ${PORTS_END} in the README`);
  return `${text.slice(0, begin + PORTS_BEGIN.length)}\n${table}\n${text.slice(end)}`;
}
