import { startHttpDaemon } from './http-daemon';

export interface PushgatewayServer {
  url: string;
  port: number;
  destroy(): Promise<void>;
}

/** Starts a Pushgateway (Debian package `prometheus-pushgateway`) on a free 127.0.0.1 port, no persistence. */
export async function startPushgateway(): Promise<PushgatewayServer> {
  const daemon = await startHttpDaemon({
    name: 'pushgateway',
    binary: 'prometheus-pushgateway',
    debianPackage: 'prometheus-pushgateway',
    // Debian's build persists to /var/lib/prometheus/pushgateway.data by default, which would carry
    // pushed groups from one test (or one run) into the next: an empty file name keeps them in memory.
    args: (port) => [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'],
  });
  return { url: daemon.url, port: daemon.port, destroy: daemon.destroy };
}
