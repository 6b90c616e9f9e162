import { ReelwatchError } from '@reelwatch/service-kit';

export type SnapshotErrorCode =
  | 'DB_UNAVAILABLE'
  | 'NO_TABLES'
  | 'EXPORT_FAILED'
  | 'WRITE_FAILED'
  | 'PUSH_FAILED';

export class SnapshotError extends ReelwatchError<SnapshotErrorCode> {}
