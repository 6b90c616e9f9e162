// The training-snapshot job: one run, then exit 0 (snapshot written and metrics pushed) or 1.
import { createLogger, loadConfigOrExit } from '@reelwatch/service-kit';
import { trainingSnapshotConfigSchema } from './config';
import { runTrainingSnapshot } from './run';

async function main(): Promise<number> {
  const config = loadConfigOrExit('training-snapshot', trainingSnapshotConfigSchema);
  const logger = createLogger({ service: 'training-snapshot', level: config.TRAINING_SNAPSHOT_LOG_LEVEL });
  const result = await runTrainingSnapshot(config, logger);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
