import type { ProducedType } from './producer-metrics';

const WATCH = /^[^,]*,[^,]*,GET \/data\/m\//;
const RATE = /^[^,]*,[^,]*,GET \/rate\//;
const RECOMMEND = /^[^,]*,[^,]*,recommendation request /;

/**
 * A replayed line's type for the producer's metric: a cheap shape check, not validation (the
 * ingestion parser is the judge). Lines of none of the three shapes count as malformed.
 */
export function lineType(line: string): ProducedType {
  if (WATCH.test(line)) return 'watch';
  if (RATE.test(line)) return 'rate';
  if (RECOMMEND.test(line)) return 'recommend';
  return 'malformed';
}

/** The key of a replayed line: its user id field, so a user's events stay in one partition. */
export function lineKey(line: string): string | null {
  const c1 = line.indexOf(',');
  if (c1 < 0) return null;
  const c2 = line.indexOf(',', c1 + 1);
  const user = c2 < 0 ? line.slice(c1 + 1) : line.slice(c1 + 1, c2);
  return user.length > 0 ? user : null;
}

/** Event time of a replayed line in ms, if its first field is an ISO time. */
export function lineTimeMs(line: string): number | undefined {
  const c1 = line.indexOf(',');
  if (c1 < 0) return undefined;
  const text = line.slice(0, c1);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  // Lines without a zone are UTC in this stream.
  const ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}
