import { parse, stringify } from 'yaml';

/**
 * A rehearsal runs the shipped rules with every duration divided by `factor` (10: a `for: 2m` alert
 * fires after 12 s, a `[10m]` window is 60 s), so a fault can fire and resolve in a short run. The
 * expressions are otherwise unchanged. Plain numbers (`> 120` seconds) are left alone: they are
 * thresholds, not windows. Factor 1 returns the text unchanged.
 */
const DURATION = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)(?![a-zA-Z_])/g;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** One Prometheus duration divided by `factor`, in whole milliseconds or seconds (at least 1 s). */
export function scaleDuration(text: string, factor: number): string {
  if (factor === 1) return text;
  let total = 0;
  for (const m of text.matchAll(DURATION)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  if (total === 0) return text;
  const ms = Math.max(1_000, Math.round(total / factor));
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}

/** Every duration inside range selectors, subqueries and `offset` of a PromQL expression. */
export function scaleExpression(expr: string, factor: number): string {
  if (factor === 1) return expr;
  return expr
    .replace(/\[([^\]:]+)(?::([^\]]*))?\]/g, (_all, range: string, step: string | undefined) =>
      step === undefined
        ? `[${scaleDuration(range.trim(), factor)}]`
        : `[${scaleDuration(range.trim(), factor)}:${step.trim() === '' ? '' : scaleDuration(step.trim(), factor)}]`,
    )
    .replace(/\boffset\s+(\d[\w.]*)/g, (_all, d: string) => `offset ${scaleDuration(d, factor)}`);
}

interface RuleFile {
  groups?: Array<{ interval?: string; rules?: Array<Record<string, unknown>> }>;
}

/** A Prometheus rule file with its durations scaled (for, keep_firing_for, group interval, expr windows). */
export function scaleRuleFile(text: string, factor: number): string {
  if (factor === 1) return text;
  const file = (parse(text) ?? {}) as RuleFile;
  for (const group of file.groups ?? []) {
    if (typeof group.interval === 'string') group.interval = scaleDuration(group.interval, factor);
    for (const rule of group.rules ?? []) {
      if (typeof rule.expr === 'string') rule.expr = scaleExpression(rule.expr, factor);
      for (const key of ['for', 'keep_firing_for'])
        if (typeof rule[key] === 'string') rule[key] = scaleDuration(rule[key] as string, factor);
    }
  }
  return stringify(file, { lineWidth: 0 });
}

/** Alertmanager's grouping timers scaled alike, so notifications keep pace with the alerts. */
export function scaleAlertmanagerConfig(text: string, factor: number): string {
  if (factor === 1) return text;
  const config = (parse(text) ?? {}) as { route?: Record<string, unknown> };
  const scaleRoute = (route: Record<string, unknown>) => {
    for (const key of ['group_wait', 'group_interval', 'repeat_interval'])
      if (typeof route[key] === 'string') route[key] = scaleDuration(route[key] as string, factor);
    for (const child of (route.routes as Record<string, unknown>[] | undefined) ?? []) scaleRoute(child);
  };
  if (config.route) scaleRoute(config.route);
  return stringify(config, { lineWidth: 0 });
}
