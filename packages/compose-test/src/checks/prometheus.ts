import { waitFor } from '@reelwatch/testkit';
import { activeTargets, ruleGroups } from '../prometheus-api';

/** Every scrape target up, and every job of prometheus.yml has at least one target. */
export async function everyTargetUp(base: string, jobs: string[]): Promise<string> {
  let last = '';
  await waitFor(
    async () => {
      const targets = await activeTargets(base);
      const down = targets
        .filter((t) => t.health !== 'up')
        .map((t) => `${t.labels.job}/${t.labels.instance}: ${t.health} ${t.lastError}`);
      const missing = jobs.filter((j) => !targets.some((t) => t.labels.job === j));
      last = [...down, ...missing.map((j) => `${j}: no target`)].join('; ');
      return down.length === 0 && missing.length === 0 ? targets.length : false;
    },
    { timeoutMs: 180_000, intervalMs: 2_000, what: 'every Prometheus target up' },
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${last}`);
  });
  return `${(await activeTargets(base)).length} targets up`;
}

/** Every rule group evaluated at least once, and no rule in error. */
export async function everyRuleGroupEvaluated(base: string): Promise<string> {
  let last = '';
  const groups = await waitFor(
    async () => {
      const gs = await ruleGroups(base);
      const bad = gs.flatMap((g) => [
        ...(g.lastEvaluation.startsWith('0001-') ? [`${g.name}: never evaluated`] : []),
        ...g.rules
          .filter((r) => r.health !== 'ok')
          .map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ''}`),
      ]);
      last = bad.join('; ');
      return gs.length > 0 && bad.length === 0 ? gs : false;
    },
    { timeoutMs: 120_000, intervalMs: 2_000, what: 'every rule group evaluated without error' },
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${last}`);
  });
  return `${groups.length} groups, ${groups.reduce((n, g) => n + g.rules.length, 0)} rules`;
}
