import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { scaleAlertmanagerConfig, scaleDuration, scaleExpression, scaleRuleFile } from '../src/time-scale';

const ROOT = path.resolve(__dirname, '../../..');

test('durations are divided, never below a second', () => {
  expect(scaleDuration('2m', 10)).toBe('12s');
  expect(scaleDuration('10m', 10)).toBe('60s');
  expect(scaleDuration('1h30m', 10)).toBe('540s');
  expect(scaleDuration('5s', 10)).toBe('1s');
  expect(scaleDuration('1500ms', 1)).toBe('1500ms');
  expect(scaleDuration('45s', 4)).toBe('11250ms');
});

test('range selectors, subqueries and offsets are scaled; thresholds and label values are not', () => {
  expect(
    scaleExpression(
      'deriv(sum by (topic) (x{le="10m"})[10m:1m]) > 0 and rate(y[5m]) > 120 unless z offset 10m',
      10,
    ),
  ).toBe('deriv(sum by (topic) (x{le="10m"})[60s:6s]) > 0 and rate(y[30s]) > 120 unless z offset 60s');
  expect(scaleExpression('x[5m:]', 10)).toBe('x[30s:]');
});

test('every shipped rule file scales to a valid file with the same rules, and factor 1 changes nothing', () => {
  const dir = path.join(ROOT, 'prometheus', 'rules');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    expect(scaleRuleFile(text, 1)).toBe(text);
    const before = parse(text) as {
      groups: { rules: { alert?: string; record?: string; for?: string }[] }[];
    };
    const after = parse(scaleRuleFile(text, 10)) as typeof before;
    const names = (f: typeof before) => f.groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record));
    expect(names(after)).toEqual(names(before));
    for (const [i, group] of after.groups.entries())
      for (const [j, rule] of group.rules.entries())
        if (before.groups[i]!.rules[j]!.for) expect(rule.for).toMatch(/^(\d+(ms|s)|0m)$/);
  }
});

test("Alertmanager's grouping timers scale with the rules", () => {
  const text = readFileSync(path.join(ROOT, 'compose', 'alertmanager', 'alertmanager.yml'), 'utf8');
  const route = (parse(scaleAlertmanagerConfig(text, 10)) as { route: Record<string, string> }).route;
  expect([route.group_wait, route.group_interval, route.repeat_interval]).toEqual(['3s', '30s', '1440s']);
});
