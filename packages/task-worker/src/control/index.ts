import { addConsumer } from './add-consumer';
import { autoscale } from './autoscale';
import { cancelConsumer } from './cancel-consumer';
import type { ControlHandler } from './command';
import { ping } from './ping';
import { poolGrow } from './pool-grow';
import { poolRestart } from './pool-restart';
import { poolShrink } from './pool-shrink';
import { rateLimit } from './rate-limit';
import { revoke } from './revoke';
import { shutdown } from './shutdown';
import { timeLimit } from './time-limit';

/**
 * Every remote-control command, one file each (file name = command name with `-` for `_`). Workers
 * run them; the monitor validates its requests with the same table before publishing.
 */
export const CONTROL_HANDLERS = [
  shutdown,
  poolRestart,
  poolGrow,
  poolShrink,
  autoscale,
  addConsumer,
  cancelConsumer,
  rateLimit,
  timeLimit,
  revoke,
  ping,
] as const;

export type ControlCommandName = (typeof CONTROL_HANDLERS)[number]['name'];

export const CONTROL_COMMANDS: readonly ControlCommandName[] = CONTROL_HANDLERS.map((h) => h.name);

const BY_NAME: ReadonlyMap<string, ControlHandler> = new Map(CONTROL_HANDLERS.map((h) => [h.name, h]));

/** The command's handler; undefined for a name not in the table (a message from the wire). */
export function controlHandler(name: string): ControlHandler | undefined {
  return BY_NAME.get(name);
}

export interface ControlCommand {
  id: string;
  command: ControlCommandName;
  /** worker names; null = every worker */
  destination: string[] | null;
  arguments: Record<string, unknown>;
  /** whether the sender waits for replies */
  reply: boolean;
}

export interface ControlReply {
  worker: string;
  ok: boolean;
  message: string;
}

export { MAX_CONCURRENCY } from './args';
export {
  type ControlArgsContext,
  type ControlCommandSpec,
  type ControlHandler,
  type ControlTarget,
  defineControlCommand,
} from './command';
