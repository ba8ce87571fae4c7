/** Small helpers shared by the broker's servers: listen on port 0, free ports, close everything. */
import dgram from 'node:dgram';
import net from 'node:net';

export interface Closable {
  close(): Promise<void>;
}

/** Listens on host:0 (or the given port) and resolves with the port the kernel chose. */
export function listen(server: net.Server, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const addr = server.address();
      if (addr === null || typeof addr === 'string') reject(new Error('server has no TCP address'));
      else resolve(addr.port);
    });
  });
}

export function bindUdp(sock: dgram.Socket, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    sock.once('error', onError);
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.off('error', onError);
      resolve(sock.address().port);
    });
  });
}

/** Closes a server and destroys the connections it still holds. */
export function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  sockets.clear();
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

export function closeUdp(sock: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** Remembers the sockets a server accepted so stop() can destroy them. */
export function track(server: net.Server): Set<net.Socket> {
  const set = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    set.add(s);
    s.on('close', () => set.delete(s));
    s.on('error', () => s.destroy());
  });
  return set;
}

/**
 * A port nothing listens on right now (bound on host, read back, released): for the refusing
 * port and QEMU's host forwards. Another process may take it meanwhile; callers that need it
 * held bind it themselves.
 */
export async function freePort(host: string, kind: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const u = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const port = await bindUdp(u, host);
    await closeUdp(u);
    return port;
  }
  const s = net.createServer();
  const port = await listen(s, host);
  await closeServer(s, new Set());
  return port;
}
