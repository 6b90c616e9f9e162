import { type MetricFamily, parseExposition } from '@reelwatch/testkit';
import pino from 'pino';
import { type RunningPgExporter, startPgExporter } from '../src/app';
import { configSchema, toExporterConfig } from '../src/config';

export const silentLogger = pino({ level: 'silent' });

/** Starts the exporter in-process on a free port from environment-style settings. */
export async function startTestExporter(env: Record<string, string>): Promise<RunningPgExporter> {
  const raw = configSchema.parse({ PG_EXPORTER_WEB_LISTEN_ADDRESS: '127.0.0.1:0', ...env });
  return startPgExporter(toExporterConfig(raw), silentLogger);
}

export async function scrape(url: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text() };
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class Scrape {
  readonly families: Map<string, MetricFamily>;
  constructor(readonly text: string) {
    const { families, problems } = parseExposition(text);
    if (problems.length > 0) throw new Error(`unparsable exposition: ${problems.slice(0, 3).join('; ')}`);
    this.families = new Map(families.map((f) => [f.name, f]));
  }

  series(name: string, match: Record<string, string> = {}): Series[] {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const family = this.families.get(name) ?? this.families.get(base);
    if (!family) return [];
    return family.samples
      .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
      .map((s) => ({ name: s.name, labels: s.labels, value: Number(s.value) }));
  }

  /** The one value of a series; throws naming the series when there is none or several. */
  value(name: string, match: Record<string, string> = {}): number {
    const found = this.series(name, match);
    if (found.length !== 1)
      throw new Error(`expected one ${name}${JSON.stringify(match)}, found ${found.length}`);
    return (found[0] as Series).value;
  }

  type(name: string): string | undefined {
    return this.families.get(name)?.type;
  }

  /** name -> sorted label names, over every family in the text */
  labelNames(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const f of this.families.values()) {
      const names = new Set<string>();
      for (const s of f.samples) for (const l of Object.keys(s.labels)) names.add(l);
      out.set(f.name, [...names].sort());
    }
    return out;
  }
}

export async function scrapeParsed(url: string, init?: RequestInit): Promise<Scrape> {
  const { status, text } = await scrape(url, init);
  if (status !== 200) throw new Error(`scrape ${url} answered ${status}: ${text.slice(0, 200)}`);
  return new Scrape(text);
}
