import { knownTask, optionalSeconds } from './args';
import { defineControlCommand } from './command';

/** Celery's time_limit: soft aborts the task's signal, hard fails it; neither removes the limits. */
export const timeLimit = defineControlCommand({
  name: 'time_limit',
  heartbeat: true,
  parseArgs: (raw, context) => ({
    task: knownTask(raw.task, context),
    soft: optionalSeconds(raw.soft, 'soft'),
    hard: optionalSeconds(raw.hard, 'hard'),
  }),
  run(target, { task, soft, hard }) {
    target.setTimeLimit(task, soft, hard);
    return 'time limits set successfully';
  },
});
