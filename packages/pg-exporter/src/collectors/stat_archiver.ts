import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = `SELECT archived_count, failed_count,
  EXTRACT(EPOCH FROM now() - last_archived_time)::float8 AS last_archive_age
FROM pg_stat_archiver`;

export const statArchiver: Collector = {
  name: 'stat_archiver',
  defaultEnabled: true,
  scope: 'server',
  description:
    'WAL archiving: archived and failed counts, age of the last archived segment (`pg_stat_archiver`)',
  async collect(ctx) {
    const out: Sample[] = [];
    const [row] = await ctx.query(SQL);
    if (!row) return out;
    const archived = num(row.archived_count);
    if (archived !== undefined)
      out.push(
        sample(
          'pg_stat_archiver_archived_count',
          'Number of WAL files that have been successfully archived',
          'counter',
          {},
          archived,
        ),
      );
    const failed = num(row.failed_count);
    if (failed !== undefined)
      out.push(
        sample(
          'pg_stat_archiver_failed_count',
          'Number of failed attempts for archiving WAL files',
          'counter',
          {},
          failed,
        ),
      );
    const age = num(row.last_archive_age);
    if (age !== undefined)
      out.push(
        sample(
          'pg_stat_archiver_last_archive_age',
          'Time in seconds since last WAL segment was successfully archived',
          'gauge',
          {},
          age,
        ),
      );
    return out;
  },
};
