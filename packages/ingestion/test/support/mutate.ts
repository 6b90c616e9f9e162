import { prng } from '@reelwatch/testkit';

export { prng };
/** Characters the parsers branch on, plus a few they must never accept. */
export const MUTATION_ALPHABET = "0123456789azAZT:.-+,/=_%' ZGETms\u0000\u2028é";

/** One to three random deletions, insertions or replacements of characters from `alphabet`. */
export function mutate(line: string, random: () => number, alphabet = MUTATION_ALPHABET): string {
  const chars = [...line];
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (chars.length + 1));
    const c = alphabet[Math.floor(random() * alphabet.length)]!;
    const op = random();
    if (op < 0.4) chars.splice(at, 1);
    else if (op < 0.7) chars.splice(at, 0, c);
    else chars[Math.min(at, chars.length - 1)] = c;
  }
  return chars.join('');
}
