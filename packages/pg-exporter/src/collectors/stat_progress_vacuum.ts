import { type Collector, majorVersion } from '../collector';
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
  s.param5 AS index_vacuum_count, s.param6, s.param7, s.param8
FROM pg_stat_get_progress_info('VACUUM'::text)
  s(pid, datid, relid, param1, param2, param3, param4, param5, param6, param7, param8, param9, param10,
    param11, param12, param13, param14, param15, param16, param17, param18, param19, param20)
LEFT JOIN pg_database d ON s.datid = d.oid`;

const COMMON: Array<[string, string, string]> = [
  ['heap_blks_total', 'heap_blks', 'Total number of heap blocks in the table being vacuumed.'],
  ['heap_blks_scanned', 'heap_blks_scanned', 'Number of heap blocks scanned so far.'],
  ['heap_blks_vacuumed', 'heap_blks_vacuumed', 'Number of heap blocks vacuumed so far.'],
  ['index_vacuum_count', 'index_vacuums', 'Number of completed index vacuum cycles.'],
];

/**
 * PostgreSQL 17 changed what param6/param7 mean (max_dead_tuple_bytes, dead_tuple_bytes) and moved
 * the dead item count to param8 (num_dead_item_ids): read each version's own columns.
 */
export function gaugesFor(version: number): Array<[string, string, string]> {
  if (majorVersion(version) >= 17)
    return [
      ...COMMON,
      [
        'param6',
        'max_dead_tuple_bytes',
        'Amount of dead tuple data that can be stored before an index vacuum cycle, in bytes.',
      ],
      [
        'param7',
        'dead_tuple_bytes',
        'Amount of dead tuple data collected since the last index vacuum cycle, in bytes.',
      ],
      ['param8', 'num_dead_tuples', 'Current number of dead tuples found so far.'],
    ];
  return [
    ...COMMON,
    [
      'param6',
      'max_dead_tuples',
      'Maximum number of dead tuples that can be stored before cleanup is performed.',
    ],
    ['param7', 'num_dead_tuples', 'Current number of dead tuples found so far.'],
  ];
}

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
      for (const [column, metric, help] of gaugesFor(ctx.version)) {
        const value = num(row[column]);
        if (value !== undefined)
          out.push(sample(`pg_stat_progress_vacuum_${metric}`, help, 'gauge', labels, value));
      }
    }
    return out;
  },
};
