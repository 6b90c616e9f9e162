#!/usr/bin/env bash
# Runs once, when the primary's data volume is empty (postgres image's docker-entrypoint-initdb.d).
# Roles: reelwatch (the services' owner of database reelwatch), replicator (streaming
# replication), reelwatch_exporter (pg_monitor: read every statistics view, nothing else).
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_db="$POSTGRES_DB" \
  -v app_password="$REELWATCH_DB_PASSWORD" \
  -v replication_password="$POSTGRES_REPLICATION_PASSWORD" \
  -v exporter_password="$POSTGRES_EXPORTER_PASSWORD" <<'SQL'
CREATE ROLE reelwatch LOGIN PASSWORD :'app_password';
ALTER DATABASE :"app_db" OWNER TO reelwatch;
GRANT ALL ON SCHEMA public TO reelwatch;

CREATE ROLE replicator LOGIN REPLICATION PASSWORD :'replication_password';
-- The replica streams from this slot, so the primary keeps the WAL it has not received yet.
SELECT pg_create_physical_replication_slot('replica');

CREATE ROLE reelwatch_exporter LOGIN PASSWORD :'exporter_password' CONNECTION LIMIT 5;
GRANT pg_monitor TO reelwatch_exporter;
SQL

# The image's pg_hba.conf allows password logins to every database, but not replication.
echo 'host replication replicator all scram-sha-256' >>"$PGDATA/pg_hba.conf"
