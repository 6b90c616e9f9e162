import { findBinary } from '@reelwatch/testkit';

/** promtool from Debian's `prometheus` package; a missing binary fails naming the package. */
export function findPromtool(): string {
  return findBinary('promtool', 'prometheus');
}
