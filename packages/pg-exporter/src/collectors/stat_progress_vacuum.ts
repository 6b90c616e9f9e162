import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const PHASES = [
  'initializing',
  'scanning heap',
  'vacuuming indexes',
  'vacuuming heap',
  'cleaning up indexes',
  'truncating heap',
  'performing final cleanup',
];

export const SQL = `SELECT d.datname,
  COALESCE(CASE WHEN d.datname = current_database() THEN s.relid::regclass::text END, s.relid::text) AS relname,
  s.param1 AS phase, s.param2 AS heap_blks_total, s.param3 AS heap_blks_scanned, s.param4 AS heap_blks_vacuumed,
  s.param5 AS index_vacuum_count, s.param6 AS max_dead_tuples, s.param7 AS num_dead_tuples
FROM pg_stat_get_progress_info('VACUUM'::text)
  s(pid, datid, relid, param1, param2, param3, param4, param5, param6, param7, param8, param9, param10,
    param11, param12, param13, param14, param15, param16, param17, param18, param19, param20)
LEFT JOIN pg_database d ON s.datid = d.oid`;

const GAUGES: Array<[string, string, string]> = [
  ['heap_blks_total', 'heap_blks', 'Total number of heap blocks in the table being vacuumed.'],
  ['heap_blks_scanned', 'heap_blks_scanned', 'Number of heap blocks scanned so far.'],
  ['heap_blks_vacuumed', 'heap_blks_vacuumed', 'Number of heap blocks vacuumed so far.'],
  ['index_vacuum_count', 'index_vacuums', 'Number of completed index vacuum cycles.'],
  [
    'max_dead_tuples',
    'max_dead_tuples',
    'Maximum number of dead tuples that can be stored before cleanup is performed.',
  ],
  ['num_dead_tuples', 'num_dead_tuples', 'Current number of dead tuples found so far.'],
];

export const statProgressVacuum: Collector = {
  name: 'stat_progress_vacuum',
  defaultEnabled: true,
  scope: 'server',
  description: 'progress of running VACUUMs: phase, heap blocks, dead tuples (`pg_stat_progress_vacuum`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      const labels = {
        datname: row.datname === null ? 'unknown' : String(row.datname),
        relname: row.relname === null ? 'unknown' : String(row.relname),
      };
      const phase = num(row.phase);
      PHASES.forEach((name, i) => {
        out.push(
          sample(
            'pg_stat_progress_vacuum_phase',
            "Current vacuum phase (1 = active, 0 = inactive). Label 'phase' is human-readable.",
            'gauge',
            { ...labels, phase: name },
            phase === i ? 1 : 0,
          ),
        );
      });
      for (const [column, metric, help] of GAUGES) {
        const value = num(row[column]);
        if (value !== undefined)
          out.push(sample(`pg_stat_progress_vacuum_${metric}`, help, 'gauge', labels, value));
      }
    }
    return out;
  },
};
