import { type LogEntry, logLevel } from 'kafkajs';
import type pino from 'pino';

/** Routes kafkajs's own logs into the service's pino logger (structured, one stream). */
export function kafkaLogCreator(logger: pino.Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (level === logLevel.ERROR) logger.error(extra, message);
      else if (level === logLevel.WARN) logger.warn(extra, message);
      else if (level === logLevel.INFO) logger.info(extra, message);
      else logger.debug(extra, message);
    };
}
