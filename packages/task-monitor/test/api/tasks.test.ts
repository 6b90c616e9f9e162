import { filterTasks } from '../../src/api/tasks';
import type { TaskRecord } from '../../src/state';
import { request } from './request';

const record = (uuid: string, name: string, received: number, state = 'SUCCESS'): TaskRecord =>
  ({ uuid, name, received, state, worker: 'w1' }) as TaskRecord;

const history = [record('a', 't.one', 100), record('b', 't.two', 200, 'FAILURE'), record('c', 't.one', 300)];

describe('filterTasks', () => {
  it('lists the newest first and pages with offset and limit', () => {
    expect(filterTasks(history, request()).map((t) => t.uuid)).toEqual(['c', 'b', 'a']);
    expect(filterTasks(history, request({ offset: '1', limit: '1' })).map((t) => t.uuid)).toEqual(['b']);
  });

  it('filters by task name, state and received time', () => {
    expect(filterTasks(history, request({ taskname: 't.one' })).map((t) => t.uuid)).toEqual(['c', 'a']);
    expect(filterTasks(history, request({ state: 'FAILURE' })).map((t) => t.uuid)).toEqual(['b']);
    expect(
      filterTasks(history, request({ received_start: '150', received_end: '250' })).map((t) => t.uuid),
    ).toEqual(['b']);
  });

  it('sorts by a known field, descending with a leading minus, and rejects any other field', () => {
    expect(filterTasks(history, request({ sort_by: '-name' })).map((t) => t.name)).toEqual([
      't.two',
      't.one',
      't.one',
    ]);
    expect(() => filterTasks(history, request({ sort_by: 'args' }))).toThrow("cannot sort by 'args'");
    expect(() => filterTasks(history, request({ received_start: 'soon' }))).toThrow(
      "'received_start' is not a time",
    );
  });

  it('answers 400 for an unknown state, a negative limit or offset and a limit that is not a decimal integer', () => {
    expect(() => filterTasks(history, request({ state: 'DONE' }))).toThrow("unknown state 'DONE'");
    expect(() => filterTasks(history, request({ offset: '-1' }))).toThrow("'offset' must be between 0");
    expect(() => filterTasks(history, request({ limit: '-2' }))).toThrow("'limit' must be between 0");
    expect(() => filterTasks(history, request({ limit: '0x10' }))).toThrow("'limit' must be an integer");
    // a huge limit is no error: it simply returns everything
    expect(filterTasks(history, request({ limit: '9007199254740991' }))).toHaveLength(3);
  });
});
