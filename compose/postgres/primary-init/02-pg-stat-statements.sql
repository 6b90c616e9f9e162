-- Needs shared_preload_libraries=pg_stat_statements (set in docker-compose.yml's command).
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
