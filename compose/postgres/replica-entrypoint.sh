#!/usr/bin/env bash
# Entry point of postgres-replica: on first start (empty volume) clone the primary with
# pg_basebackup -R (writes standby.signal and primary_conninfo), then run postgres as a hot
# standby streaming from slot `replica`. Later starts reuse the volume.
set -euo pipefail

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD"

mkdir -p "$PGDATA"
chown postgres:postgres "$PGDATA"
chmod 0700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "replica: cloning ${PRIMARY_HOST} into ${PGDATA}"
  until gosu postgres pg_isready -h "$PRIMARY_HOST" -U replicator -d postgres -q; do sleep 1; done
  gosu postgres pg_basebackup -h "$PRIMARY_HOST" -U replicator -D "$PGDATA" \
    --checkpoint=fast -X stream -S replica -R -P
fi

exec gosu postgres postgres -c hot_standby=on \
  -c max_connections="${POSTGRES_MAX_CONNECTIONS:-100}" \
  -c shared_preload_libraries=pg_stat_statements \
  -c track_io_timing=on
