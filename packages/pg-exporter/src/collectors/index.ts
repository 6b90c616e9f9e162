import type { Collector } from '../collector';
import { buffercacheSummary } from './buffercache_summary';
import { database } from './database';
import { databaseWraparound } from './database_wraparound';
import { locks } from './locks';
import { longRunningTransactions } from './long_running_transactions';
import { postmaster } from './postmaster';
import { processIdle } from './process_idle';
import { replication } from './replication';
import { replicationSlots } from './replication_slots';
import { roles } from './roles';
import { settings } from './settings';
import { statActivity } from './stat_activity';
import { statActivityAutovacuum } from './stat_activity_autovacuum';
import { statArchiver } from './stat_archiver';
import { statBgwriter } from './stat_bgwriter';
import { statCheckpointer } from './stat_checkpointer';
import { statDatabase } from './stat_database';
import { statDatabaseConflicts } from './stat_database_conflicts';
import { statProgressVacuum } from './stat_progress_vacuum';
import { statReplication } from './stat_replication';
import { statStatements } from './stat_statements';
import { statUserTables } from './stat_user_tables';
import { statWalReceiver } from './stat_wal_receiver';
import { statioUserIndexes } from './statio_user_indexes';
import { statioUserTables } from './statio_user_tables';
import { wal } from './wal';
import { xlogLocation } from './xlog_location';

/**
 * Every collector, one file each (file name = collector name). Default on/off, scope and minimum
 * version are declared in each file; a test checks this list against the directory.
 */
export const COLLECTORS: readonly Collector[] = [
  buffercacheSummary,
  database,
  databaseWraparound,
  locks,
  longRunningTransactions,
  postmaster,
  processIdle,
  replication,
  replicationSlots,
  roles,
  settings,
  statActivity,
  statActivityAutovacuum,
  statArchiver,
  statBgwriter,
  statCheckpointer,
  statDatabase,
  statDatabaseConflicts,
  statProgressVacuum,
  statReplication,
  statStatements,
  statUserTables,
  statWalReceiver,
  statioUserIndexes,
  statioUserTables,
  wal,
  xlogLocation,
];

export function collectorByName(name: string): Collector | undefined {
  return COLLECTORS.find((c) => c.name === name);
}
