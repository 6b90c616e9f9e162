import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface CatalogueEntry {
  name: string;
  type: string;
  labels: string[];
  /** exported with upstream's default flags */
  default: boolean;
  help: string;
}

export const CATALOGUE_FILE = path.join(__dirname, 'fixtures', 'kafka-exporter-catalogue.csv');

/** The upstream catalogue fixture: `#` comment lines, a header, then name,type,labels,default,help. */
export function loadCatalogue(file = CATALOGUE_FILE): { commit: string; entries: CatalogueEntry[] } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const commit = /commit ([0-9a-f]{40})/.exec(lines.filter((l) => l.startsWith('#')).join('\n'))?.[1];
  if (!commit) throw new Error(`${file}: no upstream commit in its comment lines`);
  const rows = lines.filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (rows[0] !== 'name,type,labels,default,help') throw new Error(`${file}: unexpected header ${rows[0]}`);
  const entries = rows.slice(1).map((line) => {
    const m = /^([a-z_]+),([a-z]+),([a-z_;]*),(true|false),(.*)$/.exec(line);
    if (!m) throw new Error(`${file}: cannot read line ${line}`);
    const help = (m[5] as string).replace(/^"(.*)"$/, '$1');
    return {
      name: m[1] as string,
      type: m[2] as string,
      labels: m[3] === '' ? [] : (m[3] as string).split(';'),
      default: m[4] === 'true',
      help,
    };
  });
  return { commit, entries };
}
