import { readFileSync } from 'node:fs';
import { type SupervisorSpec, supervise } from './supervisor';

// `node dist/native/supervisor-main.js <spec.json>`: started detached by `pnpm stack up` (native
// mode), one per component, as the leader of the component's process group.
const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: supervisor-main.js <spec.json>\n');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(file, 'utf8')) as SupervisorSpec;
process.title = `reelwatch-supervise ${spec.name}`;
supervise(spec);
