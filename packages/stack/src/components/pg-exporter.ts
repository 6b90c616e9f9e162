import { nodeService } from './service';
import { APP_DATABASE, collectionTimeout, HOST, port } from './support';

export const pgExporter = nodeService({
  name: 'pg-exporter',
  packageDir: 'pg-exporter',
  description: 'pg-exporter: primary and replica',
  compose: {
    port: 9188,
    environment: ['HEALTHCHECK_URL', 'DATA_SOURCE_NAME', 'PG_EXPORTER_COLLECTOR_POSTMASTER'],
    healthcheck: true,
  },
  nativePort: 9188,
  docs: { label: "pg-exporter `/metrics` (postgres_exporter's port)" },
  env: (s) => ({
    DATA_SOURCE_NAME: [port(s, 'postgres-primary'), port(s, 'postgres-replica')]
      .map((p) => `postgresql://postgres@${HOST}:${p}/${APP_DATABASE}?sslmode=disable`)
      .join(','),
    PG_EXPORTER_WEB_LISTEN_ADDRESS: `${HOST}:${port(s, 'pg-exporter')}`,
    PG_EXPORTER_COLLECTION_TIMEOUT: collectionTimeout(s),
    // the server start time (community dashboards, PostgreSQLRestarted); off in postgres_exporter
    PG_EXPORTER_COLLECTOR_POSTMASTER: 'true',
  }),
});
