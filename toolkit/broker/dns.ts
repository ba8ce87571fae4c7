/**
 * A minimal DNS responder (UDP, A and AAAA only) for the test names:
 * - one.qhal.test   A 127.0.0.1
 * - multi.qhal.test A 127.0.0.2 (nothing listens there), then A 127.0.0.1
 * - v6.qhal.test    AAAA ::1
 * - broker.qhal.test A 127.0.0.1, AAAA ::1 (a name for the broker that no resolver answers itself)
 * - localhost       A 127.0.0.1, AAAA ::1
 * A known name asked for the other type gets an empty NOERROR answer; anything else NXDOMAIN.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { bindUdp, closeUdp, type Closable } from './servers.js';

export type Zone = Record<string, { a?: string[]; aaaa?: string[] }>;

/**
 * The test names for a broker reached at `addr` (and `addr6`) by the HAL's stack, with
 * `refuse` an address where nothing listens (the first of multi.qhal.test's two answers).
 */
export function testZone(addr: string, refuse: string, addr6: string): Zone {
  return {
    'one.qhal.test': { a: [addr] },
    'multi.qhal.test': { a: [refuse, addr] },
    'v6.qhal.test': { aaaa: [addr6] },
    'broker.qhal.test': { a: [addr], aaaa: [addr6] },
    localhost: { a: [addr], aaaa: [addr6] },
  };
}

export const TEST_ZONE: Zone = testZone('127.0.0.1', '127.0.0.2', '::1');

const TYPE_A = 1;
const TYPE_AAAA = 28;

interface Question {
  name: string;
  type: number;
  cls: number;
  /** Offset just past the question. */
  end: number;
}

function parseQuestion(msg: Buffer): Question | null {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1) return null;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return null;
    const len = msg[off] as number;
    off += 1;
    if (len === 0) break;
    if (len > 63 || off + len > msg.length) return null;
    labels.push(msg.subarray(off, off + len).toString('latin1'));
    off += len;
  }
  if (off + 4 > msg.length) return null;
  return {
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(off),
    cls: msg.readUInt16BE(off + 2),
    end: off + 4,
  };
}

function ipv6Bytes(addr: string): Buffer {
  const [head = '', tail = ''] = addr.includes('::') ? addr.split('::') : [addr, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

/** Builds the answer to one query (exported for tests). */
export function answer(query: Buffer, zone: Zone): Buffer | null {
  const q = parseQuestion(query);
  if (!q) return null;
  const entry = zone[q.name];
  const addrs = entry
    ? ((q.type === TYPE_A ? entry.a : q.type === TYPE_AAAA ? entry.aaaa : undefined) ?? [])
    : [];
  const rcode = entry ? 0 : 3;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // QR=1, opcode copied, AA=1, RD copied, RA=1.
  const flags = 0x8000 | (query.readUInt16BE(2) & 0x7900) | 0x0400 | 0x0080 | rcode;
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addrs.length, 6);
  const parts = [header, query.subarray(12, q.end)];
  for (const a of addrs) {
    const rdata = net.isIPv4(a) ? Buffer.from(a.split('.').map(Number)) : ipv6Bytes(a);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(q.type, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(5, 6);
    rr.writeUInt16BE(rdata.length, 10);
    parts.push(rr, rdata);
  }
  return Buffer.concat(parts);
}

export interface DnsServer extends Closable {
  host: string;
  port: number;
  queries: number;
}

export async function startDns(host: string, port = 0, zone: Zone = TEST_ZONE): Promise<DnsServer> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const srv: DnsServer = { host, port: 0, queries: 0, close: () => closeUdp(sock) };
  sock.on('message', (msg, rinfo) => {
    srv.queries += 1;
    const reply = answer(msg, zone);
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.on('error', () => undefined);
  srv.port = await bindUdp(sock, host, port);
  return srv;
}
