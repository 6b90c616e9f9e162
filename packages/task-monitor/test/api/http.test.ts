import { TaskQueueError } from '@reelwatch/task-worker';
import type { Response } from 'express';
import { boolParam, HttpError, handle, intParam, param, pathParam } from '../../src/api/http';
import { request } from './request';

function response(): { res: Response; sent: { status?: number; body?: unknown } } {
  const sent: { status?: number; body?: unknown } = {};
  const res = {
    status(code: number) {
      sent.status = code;
      return res;
    },
    json(body: unknown) {
      sent.body = body;
      return res;
    },
  } as unknown as Response;
  return { res, sent };
}

describe('API parameters', () => {
  it('param prefers the body over the query string, as Flower', () => {
    expect(param(request({ n: '1' }, {}, { n: 2 }), 'n')).toBe('2');
    expect(param(request({ n: '1' }), 'n')).toBe('1');
    expect(param(request(), 'n')).toBeUndefined();
  });

  it('intParam falls back when absent and answers 400 for a non-integer', () => {
    expect(intParam(request(), 'n', 1)).toBe(1);
    expect(intParam(request({ n: '3' }), 'n', 1)).toBe(3);
    expect(() => intParam(request({ n: 'x' }), 'n', 1)).toThrow(new HttpError(400, "'n' must be an integer"));
  });

  it('boolParam reads true, 1 and yes as true', () => {
    expect(['true', '1', 'yes', 'no'].map((v) => boolParam(request({ b: v }), 'b'))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('pathParam joins a wildcard and reads a missing one as empty', () => {
    expect(pathParam(request({}, { id: 'abc' }), 'id')).toBe('abc');
    expect(pathParam(request(), 'id')).toBe('');
  });
});

describe('handle', () => {
  it('maps an HttpError to its status, task argument errors to 400 and 404, anything else to 500', async () => {
    const cases: [Error, number][] = [
      [new HttpError(403, 'no'), 403],
      [new TaskQueueError('INVALID_ARGUMENTS', 'bad', { retryable: false }), 400],
      [new TaskQueueError('UNKNOWN_TASK', 'who', { retryable: false }), 404],
      [new Error('boom'), 500],
    ];
    const statuses: number[] = [];
    for (const [err] of cases) {
      const { res, sent } = response();
      await handle(() => {
        throw err;
      })(request(), res);
      statuses.push(sent.status!);
    }
    expect(statuses).toEqual(cases.map(([, status]) => status));
  });
});
