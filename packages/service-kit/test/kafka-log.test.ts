import { Writable } from 'node:stream';
import { logLevel } from 'kafkajs';
import { createLogger, kafkaLogCreator } from '../src';

describe('kafkaLogCreator', () => {
  test("routes kafkajs's log entries into pino at the matching level with their fields", () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    });
    const logger = createLogger({ service: 'ingestion', level: 'debug', destination });
    const log = kafkaLogCreator(logger)();
    const entry = (level: number, message: string) => ({
      namespace: 'Consumer',
      label: 'x',
      level,
      log: { timestamp: '2026-11-21T00:00:00.000Z', message, groupId: 'g1' },
    });
    log(entry(logLevel.ERROR, 'crashed'));
    log(entry(logLevel.WARN, 'slow'));
    log(entry(logLevel.INFO, 'joined'));
    log(entry(logLevel.DEBUG, 'fetch'));
    expect(lines.map((line) => [line.level, line.msg, line.groupId])).toEqual([
      [50, 'crashed', 'g1'],
      [40, 'slow', 'g1'],
      [30, 'joined', 'g1'],
      [20, 'fetch', 'g1'],
    ]);
  });
});
