#!/usr/bin/env node
// `pnpm stack <command>`: runs the built CLI. From a fresh clone (after `pnpm install`) dist does
// not exist yet: build this package and the workspace packages it needs first, and say so.
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const entry = path.join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(
    'pnpm stack: packages/stack is not built yet; building it (pnpm --filter @reelwatch/stack... build)\n',
  );
  const root = path.join(__dirname, '..', '..', '..');
  const result = spawnSync('pnpm', ['--filter', '@reelwatch/stack...', 'run', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    process.stderr.write(
      `pnpm stack: the build failed (${result.error ? result.error.message : `exit ${result.status}`})\n`,
    );
    process.exit(1);
  }
}
require(entry);
