import { ReelwatchError } from '@reelwatch/service-kit';

export type StackErrorCode =
  | 'USAGE'
  | 'LOCKED'
  | 'MISSING_BINARIES'
  | 'START_FAILED'
  | 'NOT_HEALTHY'
  | 'BUILD_FAILED'
  | 'DOCKER_FAILED'
  | 'NOT_RUNNING';

/** Every failure the CLI reports on purpose; `code` picks the exit status, never the message. */
export class StackError extends ReelwatchError<StackErrorCode> {
  constructor(code: StackErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(code, message, options);
    this.name = 'StackError';
  }
}

/** 0 ok, 1 something failed or is unhealthy, 2 usage, 3 not running (as `systemctl status`). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof StackError) {
    if (error.code === 'USAGE') return 2;
    if (error.code === 'NOT_RUNNING') return 3;
  }
  return 1;
}
