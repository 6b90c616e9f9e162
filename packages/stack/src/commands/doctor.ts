import { runDoctor } from '../doctor';
import type { Tone } from '../output';
import type { Command } from './command';

const MARK: Record<string, [string, Tone]> = {
  ok: ['ok', 'ok'],
  warning: ['warn', 'warn'],
  error: ['FAIL', 'error'],
};

export const doctorCommand: Command = {
  name: 'doctor',
  summary:
    'check Docker and Compose, ports, binaries, compose/.env, disk space; every problem with its fix (exit 1 on errors)',
  maxPositionals: 0,
  options: {},
  optionHelp: [],
  async run(ctx) {
    const findings = await runDoctor(ctx);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const out = ctx.out;
    if (out.json) out.document({ ok: errors === 0, findings });
    else {
      for (const f of findings) {
        const [mark, tone] = MARK[f.severity] ?? ['?', 'info'];
        out.line(`${out.paint(tone, mark.padEnd(4))} ${out.paint('bold', f.check.padEnd(14))} ${f.message}`);
        if (f.fix) out.line(`     ${' '.repeat(14)} ${out.paint('dim', 'fix:')} ${f.fix}`);
      }
      const warnings = findings.filter((f) => f.severity === 'warning').length;
      out.line();
      out.line(
        errors === 0
          ? out.paint('ok', `no errors (${warnings} warnings)`)
          : out.paint('error', `${errors} errors, ${warnings} warnings`),
      );
    }
    return errors === 0 ? 0 : 1;
  },
};
