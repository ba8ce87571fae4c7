/** The board's decisions as the boolean flags C templates test with `//% if`. */
import type { BoardModel } from '../model/board-model.js';
import { pskHook } from '../model/decisions.js';

export type TemplateFlags = Record<string, boolean>;

export function boardFlags(b: BoardModel): TemplateFlags {
  const f = b.features;
  return {
    tcp: f.tcp,
    udp: f.udp,
    tls: f.tls,
    dtls: f.dtls,
    tcpServer: f.tcpServer,
    broadcast: f.broadcast,
    dns: f.dns,
    ipv6: f.ipv6,
    async: b.connect === 'async',
    sync: b.connect === 'sync',
    clientCert: b.tls?.clientCertPem !== undefined,
    psk: pskHook(b) !== null,
    rxPeerSize: b.core.rxPeerSize,
    signals: b.sdk.signals,
    verifyNone: b.tls?.verify === 'none-INSECURE-accepts-any-server',
    posix: b.os === 'posix',
    freertos: b.os === 'freertos',
    baremetal: b.os === 'baremetal',
    // The network stack, for the few lines a shared fragment words differently per port.
    posixStack: b.stack === 'posix',
    lwipSocket: b.stack === 'lwip-socket',
    lwipRaw: b.stack === 'lwip-raw',
  };
}
