import { existsSync } from 'node:fs';
import path from 'node:path';
import { BUILT_COMPONENTS } from '../components';
import { serviceEntry } from '../components/support';
import type { DoctorCheck } from './check';

/** The packages the native stack runs from their dist/. */
export const buildCheck: DoctorCheck = {
  name: 'build',
  applies: ({ useDocker }) => !useDocker,
  run({ ctx }) {
    const unbuilt = BUILT_COMPONENTS.flatMap((c) => (c.packageDir ? [c.packageDir] : [])).filter(
      (dir) => existsSync(path.join(ctx.root, 'packages', dir)) && !existsSync(serviceEntry(ctx.root, dir)),
    );
    if (unbuilt.length === 0) return [];
    return [
      {
        check: 'build',
        severity: 'warning',
        message: `not built yet: ${unbuilt.map((dir) => `packages/${dir}`).join(', ')}`,
        fix: 'pnpm build (pnpm stack up builds what is missing itself)',
      },
    ];
  },
};
