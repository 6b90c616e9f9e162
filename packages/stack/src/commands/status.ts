import { resolveBackend } from '../backend';
import type { Output, Tone } from '../output';
import type { StatusReport } from '../status-report';
import type { Command } from './command';

const TONE: Record<string, Tone> = {
  healthy: 'ok',
  running: 'ok',
  completed: 'ok',
  up: 'ok',
  skipped: 'dim',
  starting: 'info',
  unknown: 'warn',
  unhealthy: 'error',
  stopped: 'error',
  failed: 'error',
  restarting: 'warn',
  'crash-looping': 'error',
  down: 'error',
};

function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function printStatus(out: Output, report: StatusReport): void {
  out.line(
    `${out.paint('bold', 'stack')} (${report.mode}): ${report.healthy ? out.paint('ok', 'healthy') : out.paint('error', report.running ? 'unhealthy' : 'not running')}`,
  );
  if (report.components.length > 0) {
    out.line();
    out.table(
      report.components.map((c) => [
        c.name,
        out.paint(TONE[c.state] ?? 'info', c.state),
        out.paint('dim', c.detail ?? ''),
      ]),
    );
  }
  const p = report.prometheus;
  if (p) {
    out.line();
    out.line(
      out.paint('bold', `Prometheus ${p.url}`) +
        (p.reachable ? '' : out.paint('error', ` unreachable: ${p.error}`)),
    );
    if (p.reachable) {
      out.table(
        p.targets.map((t) => [
          `  ${t.job}`,
          t.instance,
          out.paint(TONE[t.health] ?? 'warn', t.health),
          out.paint('dim', t.lastError),
        ]),
      );
      const firing = p.alerts.filter((a) => a.state === 'firing');
      out.line(
        `  alerts firing: ${firing.length === 0 ? out.paint('ok', 'none') : firing.map((a) => out.paint(a.severity === 'critical' ? 'error' : 'warn', `${a.name} (${a.severity})`)).join(', ')}`,
      );
      const pending = p.alerts.filter((a) => a.state === 'pending');
      if (pending.length > 0) out.line(`  alerts pending: ${pending.map((a) => a.name).join(', ')}`);
      out.line(
        `  consumer lag: ${p.consumerLag === null ? out.paint('dim', 'no data yet') : `${p.consumerLag} messages`}`,
      );
      out.line(
        `  last batch: ${p.lastBatchAgeSeconds === null ? out.paint('dim', 'none yet') : `${formatSeconds(p.lastBatchAgeSeconds)} ago`}`,
      );
    }
  }
  if (report.problems.length > 0) {
    out.line();
    for (const problem of report.problems) out.line(`${out.paint('error', 'problem:')} ${problem}`);
  }
  for (const note of report.notes) out.line(`${out.paint('info', 'note:')} ${note}`);
}

export const statusCommand: Command = {
  name: 'status',
  summary:
    'every component’s state and health, Prometheus targets, firing alerts, consumer lag, last batch; exit 1 when unhealthy, 3 when not running',
  maxPositionals: 0,
  options: {},
  optionHelp: [],
  async run(ctx) {
    const backend = await resolveBackend(ctx);
    const report = await backend.status();
    if (ctx.out.json) ctx.out.document(report);
    else printStatus(ctx.out, report);
    if (!report.running) return 3;
    return report.healthy ? 0 : 1;
  },
};
