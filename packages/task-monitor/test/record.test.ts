import { decodeTaskRecord, encodeTaskRecord, type TaskRecord } from '../src/state';

const now = Date.now();
const record: TaskRecord = {
  uuid: 'a',
  name: 'noop',
  state: 'SUCCESS',
  queue: 'default',
  worker: 'worker@h-1',
  args: '{}',
  kwargs: '{}',
  retries: 1,
  eta: null,
  received: now / 1000,
  started: (now + 1) / 1000,
  succeeded: (now + 3) / 1000,
  failed: null,
  retried: 1_763_000_000.123_456_7,
  revoked: null,
  timestamp: (now + 3) / 1000,
  runtime: 0.002,
  prefetch_time: 0.000_123_4,
  wait_time: 12.5,
  result: 'null',
  exception: null,
  traceback: null,
};

describe('a persisted task record', () => {
  it('reads back exactly as it was written', () => {
    expect(decodeTaskRecord(encodeTaskRecord(record))).toStrictEqual(record);
    const revoked: TaskRecord = { ...record, state: 'REVOKED', revoked: (now + 9) / 1000, terminated: true };
    expect(decodeTaskRecord(encodeTaskRecord(revoked))).toStrictEqual(revoked);
  });

  it('is still read when an earlier version wrote it as a JSON object', () => {
    expect(decodeTaskRecord(JSON.stringify(record))).toStrictEqual(record);
  });

  it('is refused when it is not a record', () => {
    expect(() => decodeTaskRecord('[1,2]')).toThrow('not a task record');
    expect(() => decodeTaskRecord('3')).toThrow('not a task record');
  });
});
