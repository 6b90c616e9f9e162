import type pino from 'pino';

// kafkajs's logLevel values; declared here so service-kit does not depend on kafkajs.
const KAFKAJS_ERROR = 1;
const KAFKAJS_WARN = 2;
const KAFKAJS_INFO = 4;

/** The shape kafkajs passes to a logCreator's log function (its `LogEntry`). */
export interface KafkajsLogEntry {
  level: number;
  log: { message: string; [field: string]: unknown };
}

/** A kafkajs `logCreator` that routes kafkajs's own logs into the service's pino logger (one stream). */
export function kafkaLogCreator(logger: pino.Logger) {
  return () =>
    ({ level, log }: KafkajsLogEntry) => {
      const { message, ...extra } = log;
      if (level === KAFKAJS_ERROR) logger.error(extra, message);
      else if (level === KAFKAJS_WARN) logger.warn(extra, message);
      else if (level === KAFKAJS_INFO) logger.info(extra, message);
      else logger.debug(extra, message);
    };
}
