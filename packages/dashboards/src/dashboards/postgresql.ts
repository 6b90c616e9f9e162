import * as units from '@grafana/grafana-foundation-sdk/units';
import type { DashboardDefinition } from '../definition';
import { baseDashboard, labelVariable, type PanelSpec, row, stat, table, timeseries } from '../panels';

const UID = 'reelwatch-postgresql';
// Every panel spans the width and repeats per selected server, so primary and replica sit side by
// side (half the width each) and are never summed together (the complaint about the imported
// community dashboard).
const S = 'server=~"$server"';
const SD = 'server=~"$server", datname=~"$datname"';

function perServer(spec: PanelSpec): PanelSpec {
  return { ...spec, repeat: 'server', span: 24 };
}

function build() {
  return baseDashboard(
    'Reelwatch / PostgreSQL',
    UID,
    'The primary and its streaming replica as our pg-exporter sees them (postgres_exporter metric names, label server). Pick one server or both: every panel repeats per server, side by side.',
  )
    .withVariable(labelVariable('server', 'Server', 'label_values(pg_up, server)'))
    .withVariable(
      labelVariable(
        'datname',
        'Database',
        'label_values(pg_stat_database_xact_commit{server=~"$server"}, datname)',
      ),
    )
    .withRow(row('Server'))
    .withPanel(
      stat(
        perServer({
          title: 'Up',
          description:
            '1 when pg-exporter could connect to the server on its last scrape, 0 when not (alert PostgreSQLDown).',
          unit: units.Short,
          queries: [{ expr: `pg_up{${S}}`, legend: '{{server}}' }],
          height: 4,
        }),
      ),
    )
    .withPanel(
      timeseries(
        perServer({
          title: 'Connections by state',
          description:
            'Client connections by state (active, idle, idle in transaction, ...) against max_connections (alert PostgreSQLConnectionsNearLimit at 80%).',
          unit: units.Short,
          min: 0,
          queries: [
            { expr: `sum by (state) (pg_stat_activity_count{${S}})`, legend: '{{state}}' },
            { expr: `max(pg_settings_max_connections{${S}})`, legend: 'max_connections' },
          ],
        }),
      ),
    )
    .withRow(row('Activity'))
    .withPanel(
      timeseries(
        perServer({
          title: 'Transactions',
          description:
            'Commits and rollbacks per second in the selected databases (alert PostgreSQLRollbackRatioHigh).',
          unit: units.OpsPerSecond,
          queries: [
            {
              expr: `sum by (datname) (rate(pg_stat_database_xact_commit{${SD}}[$__rate_interval]))`,
              legend: '{{datname}} commit',
            },
            {
              expr: `sum by (datname) (rate(pg_stat_database_xact_rollback{${SD}}[$__rate_interval]))`,
              legend: '{{datname}} rollback',
            },
          ],
        }),
      ),
    )
    .withPanel(
      timeseries(
        perServer({
          title: 'Rows',
          description:
            'Rows returned, fetched, inserted, updated and deleted per second in the selected databases. The replica fetches; only the primary writes.',
          unit: units.OpsPerSecond,
          queries: ['returned', 'fetched', 'inserted', 'updated', 'deleted'].map((kind) => ({
            expr: `sum(rate(pg_stat_database_tup_${kind}{${SD}}[$__rate_interval]))`,
            legend: kind,
          })),
        }),
      ),
    )
    .withPanel(
      timeseries(
        perServer({
          title: 'Cache hit ratio',
          description: 'Share of block reads served from shared buffers instead of the disk or the OS cache.',
          unit: units.PercentUnit,
          max: 1,
          queries: [
            {
              expr: `sum by (datname) (rate(pg_stat_database_blks_hit{${SD}}[$__rate_interval])) / (sum by (datname) (rate(pg_stat_database_blks_hit{${SD}}[$__rate_interval])) + sum by (datname) (rate(pg_stat_database_blks_read{${SD}}[$__rate_interval])))`,
              legend: '{{datname}}',
            },
          ],
        }),
      ),
    )
    .withPanel(
      timeseries(
        perServer({
          title: 'Locks by mode',
          description: 'Locks held or awaited, by mode, in the selected databases.',
          unit: units.Short,
          queries: [{ expr: `sum by (mode) (pg_locks_count{${SD}})`, legend: '{{mode}}' }],
        }),
      ),
    )
    .withPanel(
      timeseries(
        perServer({
          title: 'Deadlocks',
          description:
            'Deadlocks detected in each interval (alert PostgreSQLDeadlocks). Each aborts one transaction.',
          unit: units.Short,
          queries: [
            {
              expr: `sum by (datname) (increase(pg_stat_database_deadlocks{${SD}}[$__rate_interval]))`,
              legend: '{{datname}}',
            },
          ],
        }),
      ),
    )
    .withRow(row('Storage'))
    .withPanel(
      timeseries(
        perServer({
          title: 'Database sizes',
          description: 'On-disk size of each database.',
          unit: units.BytesIEC,
          queries: [{ expr: `pg_database_size_bytes{${SD}}`, legend: '{{datname}}' }],
        }),
      ),
    )
    .withPanel(
      table(
        perServer({
          title: 'Busiest tables',
          description:
            'The ten tables with the most rows inserted, updated and deleted per second over the last 5 minutes (pg_stat_user_tables).',
          unit: units.OpsPerSecond,
          queries: [
            {
              expr: `topk(10, sum by (datname, schemaname, relname) (rate(pg_stat_user_tables_n_tup_ins{${SD}}[5m]) + rate(pg_stat_user_tables_n_tup_upd{${SD}}[5m]) + rate(pg_stat_user_tables_n_tup_del{${SD}}[5m])))`,
              legend: '{{relname}}',
            },
          ],
        }),
      ),
    )
    .withRow(row('Replication'))
    .withPanel(
      timeseries(
        perServer({
          title: 'Replication lag (bytes)',
          description:
            'WAL the primary has sent but each standby has not replayed yet, in bytes (pg_stat_replication on the primary).',
          unit: units.BytesIEC,
          queries: [
            {
              expr: `pg_stat_replication_pg_wal_lsn_diff{${S}}`,
              legend: '{{application_name}} {{client_addr}}',
            },
          ],
        }),
      ),
    )
    .withPanel(
      timeseries(
        perServer({
          title: 'Replication lag (seconds)',
          description:
            'How far the replica replay is behind the primary, in seconds (0 while it has replayed all it received; alert PostgreSQLReplicationLagHigh at 30s).',
          unit: units.Seconds,
          queries: [{ expr: `pg_replication_lag_seconds{${S}}`, legend: '{{server}}' }],
        }),
      ),
    )
    .build();
}

export const postgresql: DashboardDefinition = { uid: UID, folder: 'platform', file: 'postgresql', build };
