import { CONTROL_COMMANDS, type ControlReply } from '@reelwatch/task-worker';
import { CONTROL_ROUTES, type ControlRoute, sendControl } from '../../src/api/control';
import { HttpError } from '../../src/api/http';
import type { TaskMonitor } from '../../src/monitor';
import { request } from './request';

function route(path: string): ControlRoute {
  return CONTROL_ROUTES.find((r) => r.path === path)!;
}

function fakeMonitor(replies: ControlReply[]): { monitor: TaskMonitor; sent: unknown[][] } {
  const sent: unknown[][] = [];
  const monitor = {
    state: { workers: new Map([['w1', {}]]) },
    control: {
      broadcast: async (...args: unknown[]) => {
        sent.push(args);
        return replies;
      },
    },
  } as unknown as TaskMonitor;
  return { monitor, sent };
}

describe('the control routes', () => {
  it("send every command of task-worker's control table but ping and revoke, each from one route", () => {
    const routed = CONTROL_ROUTES.map((r) => r.command);
    expect(new Set(routed).size).toBe(routed.length);
    expect(CONTROL_COMMANDS.filter((c) => !routed.includes(c))).toEqual(['revoke', 'ping']);
  });

  it("read Flower's parameters into the command's arguments", () => {
    const autoscale = route('/worker/pool/autoscale/:name');
    expect(autoscale.args(request({ min: '2', max: '6' }))).toEqual({ min: 2, max: 6 });
    const timeout = route('/task/timeout/:name');
    const req = request({ workername: 'w1', soft: '3' }, { name: 'noop' });
    expect([timeout.worker(req), timeout.args(req)]).toEqual(['w1', { task: 'noop', soft: '3', hard: null }]);
  });

  it('answer 400 for a missing queue, worker name or rate', () => {
    expect(() => route('/worker/queue/add-consumer/:name').args(request())).toThrow(
      new HttpError(400, "'queue' is required"),
    );
    expect(() => route('/task/rate-limit/:name').worker(request())).toThrow(
      new HttpError(400, "'workername' is required"),
    );
    expect(() => route('/task/rate-limit/:name').args(request({}, { name: 'noop' }))).toThrow(
      new HttpError(400, "'ratelimit' is required"),
    );
  });
});

describe('sendControl', () => {
  it('sends the command to the one worker and returns its reply', async () => {
    const { monitor, sent } = fakeMonitor([{ worker: 'w1', ok: true, message: 'pool will grow by 2' }]);
    const reply = await sendControl(monitor, route('/worker/pool/grow/:name'), 'w1', { n: 2 });
    expect(reply.message).toBe('pool will grow by 2');
    expect(sent).toEqual([['pool_grow', { n: 2 }, { destination: ['w1'] }]]);
  });

  it('answers 404 for an unknown worker and 403 for arguments the control table rejects, sending nothing', async () => {
    const { monitor, sent } = fakeMonitor([]);
    const grow = route('/worker/pool/grow/:name');
    await expect(sendControl(monitor, grow, 'nobody', { n: 1 })).rejects.toThrow(
      new HttpError(404, "Unknown worker 'nobody'"),
    );
    await expect(sendControl(monitor, grow, 'w1', { n: 0 })).rejects.toThrow(
      new HttpError(403, "Failed to grow 'w1' worker's pool: expected a positive integer, got '0'"),
    );
    expect(sent).toEqual([]);
  });

  it('answers 403 for a missing or failed reply', async () => {
    const shrink = route('/worker/pool/shrink/:name');
    await expect(sendControl(fakeMonitor([]).monitor, shrink, 'w1', { n: 1 })).rejects.toThrow(
      new HttpError(403, "Failed to shrink 'w1' worker's pool: no reply from 'w1'"),
    );
    const failed = fakeMonitor([
      { worker: 'w1', ok: false, message: 'cannot shrink the pool below 1 (now 1)' },
    ]);
    await expect(sendControl(failed.monitor, shrink, 'w1', { n: 1 })).rejects.toMatchObject({
      status: 403,
      message: "Failed to shrink 'w1' worker's pool: cannot shrink the pool below 1 (now 1)",
    });
  });
});
