import net from 'node:net';

const handedOut = new Set<number>();

/** Every port freePort() returned in this process, so the leak check can look for listeners on them. */
export function allocatedPorts(): number[] {
  return [...handedOut];
}

function listenOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it). Ports already handed
 * out by this process are skipped, so two servers started by one test never get the same one.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenOnce();
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: the kernel kept returning ports already handed out');
}

/** How many times a server is restarted on a new port after losing the race for its first one. */
export const PORT_ATTEMPTS = 3;

/**
 * Whether a server's output says its port was taken: between freePort() closing its probe socket
 * and the server binding the port, another process (tests of other packages run concurrently)
 * may take it, e.g. as the source port of an outgoing connection.
 */
export function lostPortRace(output: string): boolean {
  return /address already in use|EADDRINUSE/i.test(output);
}
