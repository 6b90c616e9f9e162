import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface RuleDefinition {
  file: string;
  group: string;
  kind: 'alert' | 'record';
  name: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RawRule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every recording and alerting rule of every rules file in `rulesDir`, in file order. */
export function loadRules(rulesDir: string): RuleDefinition[] {
  const rules: RuleDefinition[] = [];
  for (const file of yamlFiles(rulesDir)) {
    const doc = parse(readFileSync(file, 'utf8')) as { groups?: { name: string; rules?: RawRule[] }[] };
    for (const group of doc.groups ?? []) {
      for (const rule of group.rules ?? []) {
        const kind = rule.alert !== undefined ? 'alert' : 'record';
        rules.push({
          file: path.basename(file),
          group: group.name,
          kind,
          name: (rule.alert ?? rule.record) as string,
          expr: rule.expr,
          labels: rule.labels ?? {},
          annotations: rule.annotations ?? {},
        });
      }
    }
  }
  return rules;
}

export interface AlertTestCoverage {
  /** alert names with a test case expecting at least one firing alert */
  fires: Set<string>;
  /** alert names with a test case expecting no alert */
  quiet: Set<string>;
}

interface RawRuleTestFile {
  tests?: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] | null }[] }[];
}

/** Which alerts the promtool unit tests in `testsDir` prove to fire and to stay quiet. */
export function alertTestCoverage(testsDir: string): AlertTestCoverage {
  const coverage: AlertTestCoverage = { fires: new Set(), quiet: new Set() };
  for (const file of yamlFiles(testsDir)) {
    const doc = parse(readFileSync(file, 'utf8')) as RawRuleTestFile;
    for (const test of doc.tests ?? []) {
      for (const case_ of test.alert_rule_test ?? []) {
        if ((case_.exp_alerts ?? []).length > 0) coverage.fires.add(case_.alertname);
        else coverage.quiet.add(case_.alertname);
      }
    }
  }
  return coverage;
}
