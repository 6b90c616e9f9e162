import type { Request } from 'express';
import type { TaskRecord } from '../../../src/state';
import { pageOfTasks, taskQuery, utcInput } from '../../../src/web/pages/tasks';

function req(query: Record<string, string | string[]>): Request {
  return { query } as unknown as Request;
}

function task(i: number, name: string, received: number): TaskRecord {
  return {
    uuid: `id-${i}`,
    name,
    state: 'SUCCESS',
    queue: 'default',
    worker: 'w@1',
    args: JSON.stringify({ n: i }),
    kwargs: '{}',
    retries: 0,
    eta: null,
    received,
    started: received + 1,
    succeeded: received + 2,
    failed: null,
    retried: null,
    revoked: null,
    timestamp: received + 2,
    runtime: 1,
    prefetch_time: null,
    wait_time: null,
    result: null,
    exception: null,
    traceback: null,
  };
}

describe('the tasks page query', () => {
  test('a datetime-local value (no zone) is read as UTC, anything else is left to the API to judge', () => {
    expect(utcInput('2026-12-03T17:05')).toBe('2026-12-03T17:05:00Z');
    expect(utcInput('2026-12-03T17:05:30')).toBe('2026-12-03T17:05:30Z');
    expect(utcInput('1796000000')).toBe('1796000000');
    expect(utcInput('2026-12-03 17:05')).toBe('2026-12-03 17:05');
  });

  test('page size is one of 25, 50, 100 and the offset is never negative', () => {
    expect(taskQuery(req({})).limit).toBe(25);
    expect(taskQuery(req({ limit: '100' })).limit).toBe(100);
    expect(taskQuery(req({ limit: '100000' })).limit).toBe(25);
    expect(taskQuery(req({ offset: '-50' })).offset).toBe(0);
    expect(taskQuery(req({ offset: 'x' })).offset).toBe(0);
    expect(taskQuery(req({ state: ['SUCCESS', 'FAILURE'] })).values.state).toBe('FAILURE');
  });

  test('pageOfTasks counts every match and returns the page asked for, newest first, in UTC', () => {
    const base = Date.parse('2026-12-03T12:00:00Z') / 1000;
    const tasks = Array.from({ length: 60 }, (_, i) => task(i, i % 2 ? 'noop' : 'other', base + i * 60));
    const first = pageOfTasks(tasks, taskQuery(req({ taskname: 'noop' })));
    expect(first.total).toBe(30);
    expect(first.rows).toHaveLength(25);
    expect(first.rows[0]?.uuid).toBe('id-59');
    const second = pageOfTasks(tasks, taskQuery(req({ taskname: 'noop', offset: '25' })));
    expect(second.rows.map((t) => t.uuid)).toEqual(['id-9', 'id-7', 'id-5', 'id-3', 'id-1']);
    // 12:10 to 12:12 UTC: tasks 10, 11 and 12 whatever the machine's time zone
    const window = pageOfTasks(
      tasks,
      taskQuery(req({ received_start: '2026-12-03T12:10', received_end: '2026-12-03T12:12' })),
    );
    expect(window.rows.map((t) => t.uuid)).toEqual(['id-12', 'id-11', 'id-10']);
    const sorted = pageOfTasks(tasks, taskQuery(req({ sort_by: 'received', search: '"n":5' })));
    expect(sorted.rows.map((t) => t.uuid)).toEqual([
      'id-5',
      'id-50',
      'id-51',
      'id-52',
      'id-53',
      'id-54',
      'id-55',
      'id-56',
      'id-57',
      'id-58',
      'id-59',
    ]);
  });
});
