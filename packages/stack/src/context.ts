import type { Output } from './output';

export type Mode = 'auto' | 'docker' | 'native';

/** Everything a command needs, passed in (tests give their own env, state dir, streams). */
export interface StackContext {
  root: string;
  stateDir: string;
  /** The Compose env file (compose/.env unless --env-file); the Compose project name is COMPOSE_PROJECT_NAME or reelwatch. */
  envFile: string;
  env: NodeJS.ProcessEnv;
  out: Output;
  mode: Mode;
  portBase: number | undefined;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
}
