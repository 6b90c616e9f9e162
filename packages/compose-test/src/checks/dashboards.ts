import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { substituteVariables } from '@reelwatch/dashboards';
import { waitFor } from '@reelwatch/testkit';
import { REPO_ROOT } from '../compose-project';
import { instantQuery } from '../prometheus-api';

export const DASHBOARDS_DIR = path.join(REPO_ROOT, 'grafana/dashboards');

interface JsonPanel {
  type?: string;
  title?: string;
  panels?: JsonPanel[];
  targets?: { refId?: string; expr?: string; hide?: boolean }[];
}

export interface PanelQueries {
  panel: string;
  exprs: string[];
}

/** Every panel with queries of every dashboard file Grafana is provisioned with (rows opened). */
export function provisionedPanels(dir = DASHBOARDS_DIR): PanelQueries[] {
  const out: PanelQueries[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const file = path.join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith('.json')) {
        const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { title: string; panels?: JsonPanel[] };
        const visit = (panels: JsonPanel[] = []) => {
          for (const p of panels) {
            if (p.type === 'row') visit(p.panels);
            const exprs = (p.targets ?? []).filter((t) => !t.hide && t.expr).map((t) => t.expr as string);
            if (exprs.length > 0) out.push({ panel: `${dashboard.title} / ${p.title ?? ''}`, exprs });
          }
        };
        visit(dashboard.panels);
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Every panel shows data: each of its queries, with the dashboard variables set to what
 * "All" selects, returns a sample from the stack's Prometheus. Polls until all do or the deadline.
 */
export async function panelsWithData(
  base: string,
  timeoutMs = 240_000,
): Promise<{ withData: number; panels: number; empty: string[] }> {
  const panels = provisionedPanels();
  let empty: string[] = [];
  const hasData = async (p: PanelQueries) => {
    for (const expr of p.exprs)
      if ((await instantQuery(base, substituteVariables(expr))).length === 0) return false;
    return true;
  };
  await waitFor(
    async () => {
      empty = [];
      for (const p of panels) if (!(await hasData(p))) empty.push(p.panel);
      return empty.length === 0;
    },
    { timeoutMs, intervalMs: 5_000, what: 'data in every dashboard panel' },
  ).catch(() => undefined);
  return { withData: panels.length - empty.length, panels: panels.length, empty };
}
