/** A real MQTT 3.1.1 broker (aedes) over TCP and over TLS (the valid server certificate). */
import { Aedes } from 'aedes';
import net from 'node:net';
import tls from 'node:tls';
import { closeServer, listen, track, type Closable } from './servers.js';

export interface MqttBroker extends Closable {
  tcp: number;
  tls: number;
}

/** `ports`: listen on these (a restarted broker keeps its ports); default, any free ones. */
export async function startMqtt(
  host: string,
  cert: Buffer,
  key: Buffer,
  ports: { tcp: number; tls: number } = { tcp: 0, tls: 0 },
): Promise<MqttBroker> {
  const aedes = await Aedes.createBroker();
  const plain = net.createServer((s) => aedes.handle(s));
  const secure = tls.createServer({ cert, key, minVersion: 'TLSv1.2' }, (s) => aedes.handle(s));
  secure.on('tlsClientError', () => undefined);
  const plainSockets = track(plain);
  const secureSockets = new Set<net.Socket>();
  secure.on('secureConnection', (s) => {
    secureSockets.add(s);
    s.on('close', () => secureSockets.delete(s));
  });
  const [tcpPort, tlsPort] = await Promise.all([
    listen(plain, host, ports.tcp),
    listen(secure, host, ports.tls),
  ]);
  return {
    tcp: tcpPort,
    tls: tlsPort,
    close: async () => {
      await Promise.all([closeServer(plain, plainSockets), closeServer(secure, secureSockets)]);
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}
