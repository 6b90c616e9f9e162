import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NativeSettings } from '../native/settings';
import { probeHttp } from '../probes';
import type { StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, port, url } from './support';

function alertSinkScript(s: NativeSettings): string {
  return path.join(s.root, 'compose', 'alertmanager', 'alert-sink.js');
}

export const alertSink: StackComponent = {
  name: 'alert-sink',
  description: "Alertmanager's out-of-the-box receiver: logs every notification (pnpm stack logs alert-sink)",
  compose: { port: 9095, environment: ['ALERT_SINK_PORT'], healthcheck: true },
  nativePort: 9095,
  docs: { label: "alert-sink (Alertmanager's default receiver)" },
  binaries: [{ binary: 'prometheus-alertmanager', debianPackage: 'prometheus-alertmanager' }],
  optional: true,
  unavailable: (s) =>
    existsSync(alertSinkScript(s)) ? undefined : 'compose/alertmanager/alert-sink.js is not in this checkout',
  launch: (s) => ({
    command: process.execPath,
    args: [alertSinkScript(s)],
    env: { ...baseEnv(s, componentDir(s, 'alert-sink')), ALERT_SINK_PORT: String(port(s, 'alert-sink')) },
    cwd: ensureDir(componentDir(s, 'alert-sink')),
  }),
  health: (s) => probeHttp(url(port(s, 'alert-sink'), '/healthz')),
};
