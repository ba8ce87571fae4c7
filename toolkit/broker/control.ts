/**
 * The control port: a line-based TCP service the conformance suite drives while a case
 * runs, and the broadcast recorder. One command per line, one reply line each, starting
 * with `ok` or `err`:
 *   ping                      -> ok
 *   connect <port> <n> [host] -> ok <connected> <failed>     (n TCP clients into the HAL's server)
 *   clients                   -> ok <open> <closedByPeer> <bytesReceived>
 *   send <text>               -> ok <n>                       (text to every open client)
 *   drop-clients              -> ok
 *   udp-send <port> <word> [host] -> ok <sourcePort>          (a datagram from a fresh socket)
 * `host` is where the HAL's stack is (default: the broker's own address, where the HAL is
 * when it uses the kernel's sockets; lwIP's address on a TAP link; 127.0.0.1 with a QEMU
 * `hostfwd` port).
 *   bcast                     -> ok <count> <lastHex|-> <lastSender|->
 *   bcast-reset               -> ok
 *   slow-bytes                -> ok <n> <hash> <m> (n: all connections; FNV-1a hex and bytes of the latest)
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { bindUdp, closeServer, closeUdp, listen, track, type Closable } from './servers.js';

export interface ControlServer extends Closable {
  port: number;
  broadcastPort: number;
}

export interface ControlOptions {
  host: string;
  /** Where the broadcast recorder binds (0.0.0.0 so it gets limited broadcasts). */
  broadcastHost?: string;
  slowBytes?: () => number;
  slowHash?: () => number;
  slowLatestBytes?: () => number;
}

interface Client {
  sock: net.Socket;
  open: boolean;
  closedByPeer: boolean;
  bytes: number;
}

export async function startControl(o: ControlOptions): Promise<ControlServer> {
  const clients: Client[] = [];
  const udpSenders = new Set<dgram.Socket>();
  let bcastCount = 0;
  let bcastLast: Buffer | null = null;
  let bcastFrom = '-';

  const bcast = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  bcast.on('message', (msg, rinfo) => {
    bcastCount += 1;
    bcastLast = msg;
    bcastFrom = `${rinfo.address}:${rinfo.port}`;
  });
  bcast.on('error', () => undefined);
  const broadcastPort = await bindUdp(bcast, o.broadcastHost ?? '0.0.0.0');

  function connectOne(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const c: Client = {
        sock: net.connect({ host, port }),
        open: false,
        closedByPeer: false,
        bytes: 0,
      };
      const timer = setTimeout(() => {
        c.sock.destroy();
        resolve(false);
      }, 3000);
      c.sock.on('connect', () => {
        clearTimeout(timer);
        c.open = true;
        clients.push(c);
        resolve(true);
      });
      c.sock.on('data', (d) => {
        c.bytes += d.length;
      });
      c.sock.on('end', () => {
        c.closedByPeer = true;
        c.sock.end();
      });
      c.sock.on('error', () => {
        if (c.open) c.closedByPeer = true;
        clearTimeout(timer);
        resolve(false);
      });
      c.sock.on('close', () => {
        c.open = false;
      });
    });
  }

  async function command(line: string): Promise<string> {
    const [cmd, ...args] = line.trim().split(/\s+/);
    switch (cmd) {
      case 'ping':
        return 'ok';
      case 'connect': {
        const port = Number(args[0]);
        const n = Number(args[1] ?? 1);
        if (!Number.isInteger(port) || !Number.isInteger(n) || n < 1 || n > 64)
          return 'err usage: connect <port> <n> [host]';
        const host = args[2] ?? o.host;
        if (net.isIP(host) === 0) return `err not an address: ${host}`;
        // One after the other, so the HAL sees them in order.
        let ok = 0;
        for (let i = 0; i < n; i++) if (await connectOne(host, port)) ok += 1;
        return `ok ${ok} ${n - ok}`;
      }
      case 'clients': {
        const open = clients.filter((c) => c.open && !c.closedByPeer).length;
        const closed = clients.filter((c) => c.closedByPeer).length;
        const bytes = clients.reduce((a, c) => a + c.bytes, 0);
        return `ok ${open} ${closed} ${bytes}`;
      }
      case 'send': {
        const text = line.trim().slice('send'.length).trim();
        let n = 0;
        for (const c of clients) {
          if (c.open && !c.closedByPeer) {
            c.sock.write(text);
            n += 1;
          }
        }
        return `ok ${n}`;
      }
      case 'drop-clients':
        for (const c of clients.splice(0)) c.sock.destroy();
        return 'ok';
      case 'udp-send': {
        const port = Number(args[0]);
        const text = args[1] ?? '';
        const host = args[2] ?? o.host;
        if (!Number.isInteger(port) || net.isIPv4(host) === false)
          return 'err usage: udp-send <port> <word> [IPv4 host]';
        const s = dgram.createSocket('udp4');
        udpSenders.add(s);
        const src = await bindUdp(s, o.host);
        await new Promise<void>((r) => s.send(text, port, host, () => r()));
        // Keep the socket a while so the HAL's reply to its peer is not refused.
        setTimeout(() => {
          udpSenders.delete(s);
          void closeUdp(s);
        }, 5000).unref();
        return `ok ${src}`;
      }
      case 'bcast': {
        const last = bcastLast as Buffer | null;
        return `ok ${bcastCount} ${last ? last.toString('hex') || '-' : '-'} ${bcastFrom}`;
      }
      case 'bcast-reset':
        bcastCount = 0;
        bcastLast = null;
        bcastFrom = '-';
        return 'ok';
      case 'slow-bytes':
        return `ok ${o.slowBytes ? o.slowBytes() : 0} ${(o.slowHash ? o.slowHash() : 0).toString(16).padStart(8, '0')} ${o.slowLatestBytes ? o.slowLatestBytes() : 0}`;
      default:
        return `err unknown command '${cmd ?? ''}'`;
    }
  }

  const server = net.createServer((s) => {
    let buf = '';
    let chain = Promise.resolve();
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        chain = chain.then(async () => {
          let reply: string;
          try {
            reply = await command(line);
          } catch (err) {
            reply = `err ${(err as Error).message}`;
          }
          if (!s.destroyed) s.write(`${reply}\n`);
        });
      }
    });
  });
  const sockets = track(server);
  const port = await listen(server, o.host);
  return {
    port,
    broadcastPort,
    close: async () => {
      for (const c of clients.splice(0)) c.sock.destroy();
      await Promise.all([...udpSenders].map((s) => closeUdp(s)));
      udpSenders.clear();
      await closeUdp(bcast);
      await closeServer(server, sockets);
    },
  };
}
