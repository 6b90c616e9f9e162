import type { ComponentUrl } from './components';
import type { StackContext } from './context';
import { DockerBackend, dockerReachable } from './docker/backend';
import { NativeBackend } from './native/backend';
import { readState } from './native/state';
import type { StatusReport } from './status-report';

export interface UpOptions {
  /** Install missing Debian packages with apt (Debian, as root). */
  install: boolean;
  /** Per component (native) or for the whole stack (Docker), in seconds. */
  timeoutSec: number;
  /** Stay in the foreground; Ctrl-C stops the stack. */
  attach: boolean;
  /** Docker: Compose services not to start (nor what depends on them); recorded for `status`. */
  without: string[];
}

export interface LogsOptions {
  service: string | undefined;
  follow: boolean;
  tail: number;
}

export interface UrlList {
  running: boolean;
  urls: ComponentUrl[];
  notes: string[];
}

/** What both ways of running the stack do; commands talk only to this. */
export interface Backend {
  readonly kind: 'docker' | 'native';
  up(options: UpOptions): Promise<number>;
  down(options: { volumes: boolean }): Promise<number>;
  status(): Promise<StatusReport>;
  logs(options: LogsOptions): Promise<number>;
  urls(): UrlList | Promise<UrlList>;
  /** Stops one component and keeps it stopped (not restarted) until `start` (Compose: stop/start). */
  stopOne(name: string): Promise<number>;
  startOne(name: string): Promise<number>;
}

/**
 * --mode docker|native, or auto: a native stack already recorded in the state dir wins (so
 * `down` stops what `up` started), then Docker when its engine answers a ping, else native.
 */
export async function resolveBackend(ctx: StackContext): Promise<Backend> {
  if (ctx.mode === 'native') return new NativeBackend(ctx);
  if (ctx.mode === 'docker') return new DockerBackend(ctx);
  if (readState(ctx.stateDir)) return new NativeBackend(ctx);
  if (await dockerReachable(ctx.env)) return new DockerBackend(ctx);
  return new NativeBackend(ctx);
}
