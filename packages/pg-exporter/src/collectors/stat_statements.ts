import { type Collector, majorVersion } from '../collector';
import { num, type Sample, sample } from '../exposition';

/** pg_stat_statements column names changed in 13 (total_exec_time) and 17 (shared_blk_*_time). */
export function sqlFor(
  version: number,
  options: { includeQuery: boolean; queryLength: number; limit: number },
): string {
  const major = majorVersion(version);
  const total = major >= 13 ? 'total_exec_time' : 'total_time';
  const readTime = major >= 17 ? 'shared_blk_read_time' : 'blk_read_time';
  const writeTime = major >= 17 ? 'shared_blk_write_time' : 'blk_write_time';
  const query = options.includeQuery
    ? `LEFT(s.query, ${Math.max(1, Math.floor(options.queryLength))}) AS query,`
    : '';
  return `SELECT pg_get_userbyid(s.userid) AS "user", d.datname, s.queryid::text AS queryid, ${query}
  s.calls AS calls_total, s.${total} / 1000.0 AS seconds_total, s.rows AS rows_total,
  s.${readTime} / 1000.0 AS block_read_seconds_total, s.${writeTime} / 1000.0 AS block_write_seconds_total
FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
ORDER BY seconds_total DESC LIMIT ${Math.max(1, Math.floor(options.limit))}`;
}

const COLUMNS: Array<[string, string]> = [
  ['calls_total', 'Number of times executed'],
  ['seconds_total', 'Total time spent in the statement, in seconds'],
  ['rows_total', 'Total number of rows retrieved or affected by the statement'],
  ['block_read_seconds_total', 'Total time the statement spent reading blocks, in seconds'],
  ['block_write_seconds_total', 'Total time the statement spent writing blocks, in seconds'],
];

export const statStatements: Collector = {
  name: 'stat_statements',
  defaultEnabled: false,
  scope: 'server',
  description:
    'top statements by total time when pg_stat_statements is installed (calls, time, rows, block I/O time)',
  async collect(ctx) {
    const out: Sample[] = [];
    // installed and loaded (a replica may lack shared_preload_libraries): otherwise nothing to report
    const ext = await ctx.query(
      `SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'
         AND current_setting('shared_preload_libraries') ~ '(^|[ ,])pg_stat_statements($|[ ,])'`,
    );
    if (ext.length === 0) return out;
    for (const row of await ctx.query(sqlFor(ctx.version, ctx.options.statStatements))) {
      const labels = { user: String(row.user), datname: String(row.datname), queryid: String(row.queryid) };
      for (const [column, help] of COLUMNS) {
        const value = num(row[column]);
        if (value !== undefined)
          out.push(sample(`pg_stat_statements_${column}`, help, 'counter', labels, value));
      }
      if (ctx.options.statStatements.includeQuery && row.query !== null && row.query !== undefined)
        out.push(
          sample(
            'pg_stat_statements_query_id',
            'SQL Query to queryid mapping',
            'counter',
            { queryid: String(row.queryid), query: String(row.query) },
            1,
          ),
        );
    }
    return out;
  },
};
