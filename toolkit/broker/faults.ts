/**
 * Fault servers: each port misbehaves in one way, on every connection.
 * - reset: echoes the first chunk it reads, then resets the connection (RST).
 * - closeAfter: sends `closeAfterBytes` bytes (0x00, 0x01, ... mod 256), then closes (FIN).
 * - slow: reads nothing for `slowPauseMs`, then 1 KiB every 50 ms for `slowPauseMs` more,
 *   then reads at full speed; it never writes. The HAL's writes hit EAGAIN in the pause.
 *   It hashes what its latest connection carried, so a case can tell the bytes are right.
 * - refuse: a port where nothing listens (taken from the kernel, then released).
 */
import net from 'node:net';
import { closeServer, freePort, listen, track, type Closable } from './servers.js';

export interface FaultServers extends Closable {
  reset: number;
  closeAfter: number;
  closeAfterBytes: number;
  slow: number;
  slowPauseMs: number;
  refuse: number;
  /** Bytes the slow reader has consumed, all connections together. */
  slowBytes(): number;
  /** FNV-1a (32-bit) of the bytes the slow reader consumed on its latest connection. */
  slowHash(): number;
  /** Bytes the slow reader consumed on its latest connection. */
  slowLatestBytes(): number;
}

export async function startFaults(
  host: string,
  closeAfterBytes = 1000,
  slowPauseMs = 1500,
): Promise<FaultServers> {
  const timers = new Set<NodeJS.Timeout>();
  const reset = net.createServer((s) => {
    s.once('data', (d) => {
      // A reset straight from the write callback ends up as a FIN; let the data leave first.
      s.write(d, () => {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!s.destroyed) s.resetAndDestroy();
        }, 20);
        timers.add(t);
      });
    });
  });
  const closeAfter = net.createServer((s) => {
    const b = Buffer.alloc(closeAfterBytes);
    for (let i = 0; i < b.length; i++) b[i] = i & 0xff;
    s.end(b);
  });
  let slowTotal = 0;
  // Per connection: a link closed with data still queued keeps draining into the reader after
  // the next one opens, and must not count as the next one's bytes.
  let latest = { bytes: 0, hash: 0x811c9dc5 };
  const slow = net.createServer({ pauseOnConnect: true }, (s) => {
    const start = Date.now();
    const mine = { bytes: 0, hash: 0x811c9dc5 };
    latest = mine;
    const consumed = (d: Buffer) => {
      slowTotal += d.length;
      mine.bytes += d.length;
      for (const b of d) mine.hash = Math.imul(mine.hash ^ b, 0x01000193) >>> 0;
    };
    const t = setInterval(() => {
      const elapsed = Date.now() - start;
      if (elapsed < slowPauseMs) return;
      if (elapsed < 2 * slowPauseMs) {
        const chunk = s.read(1024) as Buffer | null;
        if (chunk) consumed(chunk);
        return;
      }
      clearInterval(t);
      timers.delete(t);
      s.on('data', consumed);
      s.resume();
    }, 50);
    timers.add(t);
    s.on('close', () => {
      clearInterval(t);
      timers.delete(t);
    });
  });
  const servers = [reset, closeAfter, slow];
  const sets = servers.map(track);
  const [resetPort, closePort, slowPort, refuse] = await Promise.all([
    listen(reset, host),
    listen(closeAfter, host),
    listen(slow, host),
    freePort(host),
  ]);
  return {
    reset: resetPort,
    closeAfter: closePort,
    closeAfterBytes,
    slow: slowPort,
    slowPauseMs,
    refuse,
    slowBytes: () => slowTotal,
    slowHash: () => latest.hash,
    slowLatestBytes: () => latest.bytes,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all(servers.map((s, i) => closeServer(s, sets[i] as Set<net.Socket>)));
    },
  };
}
