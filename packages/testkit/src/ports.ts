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
