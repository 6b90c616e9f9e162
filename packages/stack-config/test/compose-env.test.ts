import { readFileSync } from 'node:fs';
import path from 'node:path';
import { producerConfigSchema } from '@reelwatch/event-producer';
import { ingestionConfigSchema } from '@reelwatch/ingestion';
import { configSchema as kafkaExporterConfigSchema } from '@reelwatch/kafka-exporter';
import { configSchema as pgExporterConfigSchema } from '@reelwatch/pg-exporter';
import { loadConfig, type z } from '@reelwatch/service-kit';
import { interpolate, loadComposeFile, parseEnvFile, stackPaths } from '@reelwatch/stack-config';
import { monitorConfigSchema } from '@reelwatch/task-monitor';
import { workerConfigSchema } from '@reelwatch/task-worker';
import { trainingSnapshotConfigSchema } from '@reelwatch/training-snapshot';

const paths = stackPaths(path.resolve(__dirname, '../../..'));
const compose = interpolate(
  loadComposeFile(paths.composeFile),
  parseEnvFile(readFileSync(paths.composeEnvExample, 'utf8')),
);

// The Compose service -> the config schema of the program its command runs.
const schemas: Record<string, z.ZodObject> = {
  'event-producer': producerConfigSchema,
  ingestion: ingestionConfigSchema,
  'pg-exporter': pgExporterConfigSchema,
  'kafka-exporter': kafkaExporterConfigSchema,
  'task-worker': workerConfigSchema,
  'task-monitor': monitorConfigSchema,
  'training-snapshot': trainingSnapshotConfigSchema,
};
// Read by the container, not by the service: the image's healthcheck script.
const CONTAINER_ONLY = new Set(['HEALTHCHECK_URL', 'HEALTHCHECK_HEARTBEAT_FILE']);

describe('Compose environment of our services', () => {
  test('every service built from the repository has its config schema here', () => {
    const built = Object.entries(compose.services)
      .filter(([, s]) => s.build !== undefined)
      .map(([name]) => name)
      .sort();
    expect(built).toEqual(Object.keys(schemas).sort());
  });

  test.each(Object.keys(schemas))(
    '%s: every variable Compose sets is valid for its config schema',
    (name) => {
      const service = compose.services[name] as { environment?: Record<string, string | number> };
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {})
          .filter(([k]) => !CONTAINER_ONLY.has(k))
          .map(([k, v]) => [k, String(v)]),
      );
      const schema = schemas[name] as z.ZodObject;
      expect(Object.keys(env).filter((k) => !(k in schema.shape))).toEqual([]);
      expect(() => loadConfig(schema, { env, envFile: false })).not.toThrow();
    },
  );

  test('training-snapshot: TRAINING_SNAPSHOT_PUSHGATEWAY_URL empty in .env means "do not push"', () => {
    const withEnv = (value: string | undefined) => {
      const env = parseEnvFile(readFileSync(paths.composeEnvExample, 'utf8'));
      if (value === undefined) env.delete('TRAINING_SNAPSHOT_PUSHGATEWAY_URL');
      else env.set('TRAINING_SNAPSHOT_PUSHGATEWAY_URL', value);
      const service = interpolate(loadComposeFile(paths.composeFile), env).services['training-snapshot'] as {
        environment: Record<string, string>;
      };
      const config = loadConfig(trainingSnapshotConfigSchema, {
        env: {
          TRAINING_SNAPSHOT_PUSHGATEWAY_URL: service.environment.TRAINING_SNAPSHOT_PUSHGATEWAY_URL ?? '',
        },
        envFile: false,
      });
      return config.TRAINING_SNAPSHOT_PUSHGATEWAY_URL;
    };
    expect(withEnv(undefined)).toBe('http://pushgateway:9091'); // an older .env without the line
    expect(withEnv('')).toBe('');
    expect(withEnv('http://my-gateway:9091')).toBe('http://my-gateway:9091');
  });

  test.each(Object.keys(schemas).filter((n) => n !== 'training-snapshot'))(
    '%s: the healthcheck asks the port the service listens on',
    (name) => {
      const service = compose.services[name] as { environment: Record<string, string> };
      const port = new URL(service.environment.HEALTHCHECK_URL as string).port;
      const schema = schemas[name] as z.ZodObject;
      const config = loadConfig(schema, { env: {}, envFile: false }) as Record<string, unknown>;
      const listens = Object.entries(config).filter(
        ([k, v]) => /(_PORT|_LISTEN_ADDRESS)$/.test(k) && String(v).endsWith(port),
      );
      expect(listens.length).toBe(1);
    },
  );
});
