import type { Output } from './output';

export type Mode = 'auto' | 'docker' | 'native';

/** Everything a command needs, passed in (tests give their own env, state dir, streams). */
export interface StackContext {
  root: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  out: Output;
  mode: Mode;
  portBase: number | undefined;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
}
