import { existsSync, readFileSync } from 'node:fs';

/** The last `lines` lines of a file ('' when it does not exist). */
export function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n')
    .trimEnd();
}
