import { nodeService } from './service';
import { APP_DATABASE, HOST, port } from './support';

export const pgExporter = nodeService({
  name: 'pg-exporter',
  packageDir: 'pg-exporter',
  description: 'pg-exporter: primary and replica',
  compose: { port: 9188, environment: ['HEALTHCHECK_URL', 'DATA_SOURCE_NAME'], healthcheck: true },
  nativePort: 9188,
  docs: { label: "pg-exporter `/metrics` (postgres_exporter's port)" },
  env: (s) => ({
    DATA_SOURCE_NAME: [port(s, 'postgres-primary'), port(s, 'postgres-replica')]
      .map((p) => `postgresql://postgres@${HOST}:${p}/${APP_DATABASE}?sslmode=disable`)
      .join(','),
    PG_EXPORTER_WEB_LISTEN_ADDRESS: `${HOST}:${port(s, 'pg-exporter')}`,
  }),
});
