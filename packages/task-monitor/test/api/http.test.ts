import { TaskQueueError } from '@reelwatch/task-worker';
import type { Response } from 'express';
import {
  boolParam,
  HttpError,
  handle,
  intParam,
  param,
  pathParam,
  requestErrorStatus,
} from '../../src/api/http';
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

  it('param answers 400 for an array or an object where one value is expected', () => {
    const single = new HttpError(400, "'n' must be a single value");
    expect(() => param(request({ n: ['1', '2'] } as never), 'n')).toThrow(single);
    expect(() => param(request({ n: { a: '1' } } as never), 'n')).toThrow(single);
    expect(() => param(request({}, {}, { n: [1] }), 'n')).toThrow(single);
    expect(param(request({}, {}, { n: 5 }), 'n')).toBe('5');
    // inherited names are not parameters
    expect(param(request({}, {}, {}), 'constructor')).toBeUndefined();
  });

  it('intParam accepts decimal integers only, within its bounds', () => {
    for (const bad of ['0x10', '1e3', '1.5', 'NaN', 'Infinity', '99999999999999999999', ' ', '--1']) {
      expect(() => intParam(request({ n: bad }), 'n', 1)).toThrow(HttpError);
    }
    expect(intParam(request({ n: '-4' }), 'n', 1)).toBe(-4);
    expect(() => intParam(request({ n: '-1' }), 'n', 0, { min: 0 })).toThrow(
      new HttpError(400, `'n' must be between 0 and ${Number.MAX_SAFE_INTEGER}`),
    );
  });

  it('requestErrorStatus keeps the 4xx of a request the parsers refused and leaves server errors alone', () => {
    expect(requestErrorStatus(Object.assign(new Error('too large'), { status: 413, expose: true }))).toBe(
      413,
    );
    expect(requestErrorStatus(Object.assign(new Error('bad json'), { statusCode: 400 }))).toBe(400);
    expect(requestErrorStatus(new URIError('URI malformed'))).toBe(400);
    expect(requestErrorStatus(Object.assign(new Error('down'), { status: 503 }))).toBeUndefined();
    expect(requestErrorStatus(new Error('boom'))).toBeUndefined();
    expect(requestErrorStatus('text')).toBeUndefined();
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
