/** The few Prometheus HTTP API calls the checks make, against the published port. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function api<T>(base: string, pathname: string): Promise<T> {
  const res = await fetch(`${base}${pathname}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${pathname}: ${body.error ?? res.status}`);
  return body.data;
}

export async function instantQuery(base: string, expr: string): Promise<PromSample[]> {
  const data = await api<{ resultType: string; result: PromSample[] | [number, string] }>(
    base,
    `/api/v1/query?query=${encodeURIComponent(expr)}`,
  );
  // A scalar result is one value, not a vector.
  if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
  return data.result as PromSample[];
}

export interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

export async function activeTargets(base: string): Promise<Target[]> {
  return (await api<{ activeTargets: Target[] }>(base, '/api/v1/targets?state=active')).activeTargets;
}

export interface RuleGroup {
  name: string;
  file: string;
  lastEvaluation: string;
  rules: { name: string; health: string; lastError?: string }[];
}

export async function ruleGroups(base: string): Promise<RuleGroup[]> {
  return (await api<{ groups: RuleGroup[] }>(base, '/api/v1/rules')).groups;
}
