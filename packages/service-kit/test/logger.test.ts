import { Writable } from 'node:stream';
import { createLogger } from '../src';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  test('writes JSON lines carrying the service name at the configured level', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'ingestion', level: 'warn', destination });
    logger.info('not shown');
    logger.child({ unit: 'batch-writer' }).warn({ batch: 3 }, 'slow batch');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'ingestion',
      unit: 'batch-writer',
      batch: 3,
      msg: 'slow batch',
      level: 40,
    });
  });

  test('never writes secrets: config objects, secret-named fields, DSNs and error messages are masked', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'ingestion', destination });
    logger.info(
      {
        config: {
          INGESTION_PG_PASSWORD: 'hunter2',
          INGESTION_DATABASE_URL: 'postgres://reel:hunter2@db/reelwatch',
        },
        password: 'hunter2',
        db: { password: 'hunter2', options: { token: 'hunter2' } },
        dsn: 'host=db password=hunter2',
      },
      'starting',
    );
    logger.error({ err: new Error('connect postgres://reel:hunter2@db/reelwatch failed') }, 'cannot connect');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2');
    expect(lines[0]).toMatchObject({
      config: { INGESTION_PG_PASSWORD: '****', INGESTION_DATABASE_URL: 'postgres://reel:****@db/reelwatch' },
      password: '****',
      db: { password: '****', options: { token: '****' } },
      dsn: 'host=db password=****',
    });
    expect(lines[1]).toMatchObject({
      err: { type: 'Error', message: 'connect postgres://reel:****@db/reelwatch failed' },
    });
  });
});
