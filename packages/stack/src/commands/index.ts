import type { Command } from './command';
import { doctorCommand } from './doctor';
import { downCommand } from './down';
import { logsCommand } from './logs';
import { startCommand } from './start';
import { statusCommand } from './status';
import { stopCommand } from './stop';
import { upCommand } from './up';
import { urlsCommand } from './urls';

export type { Command } from './command';

/** Every command, one file each (a test checks this list against the files of this folder). */
export const COMMANDS: Command[] = [
  upCommand,
  downCommand,
  statusCommand,
  logsCommand,
  stopCommand,
  startCommand,
  urlsCommand,
  doctorCommand,
];
