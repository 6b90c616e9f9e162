import pino from 'pino';
import { MASK, maskDsn, redactSecrets } from './mask';

export interface LoggerOptions {
  service: string;
  /** A pino level (fatal, error, warn, info, debug, trace, silent); default info. */
  level?: string;
  /** Default: stdout. Tests pass a stream to read the lines back. */
  destination?: pino.DestinationStream;
}

const SECRET_KEYS = [
  'password',
  'passwd',
  'pass',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'authorization',
  'PASSWORD',
  'SECRET',
  'TOKEN',
];

/** Secret-named properties at the top level and up to two levels down (pino redact paths have no `**`). */
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
  'req.headers.authorization',
  'headers.authorization',
];

/**
 * pino logger with base {service}; secrets never reach the output: secret-named properties are redacted,
 * a logged `config` object has every secret-named key masked and DSN passwords masked in every string,
 * and `err` messages and stacks have DSN passwords masked.
 */
export function createLogger(options: LoggerOptions): pino.Logger {
  const pinoOptions: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: MASK },
    serializers: {
      config: (config: unknown) => redactSecrets(config),
      dsn: (dsn: unknown) => (typeof dsn === 'string' ? maskDsn(dsn) : dsn),
      err: (err: Error) => {
        const serialized = pino.stdSerializers.err(err);
        if (!serialized || typeof serialized !== 'object') return serialized;
        const masked: Record<string, unknown> = { ...serialized };
        if (typeof serialized.message === 'string') masked.message = maskDsn(serialized.message);
        if (typeof serialized.stack === 'string') masked.stack = maskDsn(serialized.stack);
        return masked;
      },
    },
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}
