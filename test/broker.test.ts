/** The test broker, each server checked with a real client from Node. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import mqtt from 'mqtt';
import { startBroker, suiteConfig, type Broker } from '../toolkit/broker/index.js';

let broker: Broker;

function tlsConnect(port: number, o: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: fs.readFileSync(broker.info.pki.caCert),
      ...o,
    });
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

function echoOnce(s: net.Socket, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    s.on('data', (d: Buffer) => {
      parts.push(d);
      n += d.length;
      if (n >= payload.length) resolve(Buffer.concat(parts));
    });
    s.once('error', reject);
    s.once('close', () => reject(new Error(`closed after ${n} bytes`)));
    s.write(payload);
  });
}

function control(line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(broker.info.control, '127.0.0.1');
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(`${line}\n`));
    s.on('data', (d: string) => {
      buf += d;
      if (buf.includes('\n')) {
        s.end();
        resolve(buf.trim());
      }
    });
    s.on('error', reject);
  });
}

/** Asks the control port until the answer matches: the broker records asynchronously, and a
 * fixed pause is a guess that a loaded machine can lose (5 s bound, then the last answer). */
async function controlUntil(line: string, want: RegExp): Promise<string> {
  let answer = await control(line);
  for (let i = 0; i < 100 && !want.test(answer); i++) {
    await new Promise((r) => setTimeout(r, 50));
    answer = await control(line);
  }
  return answer;
}

async function mqttRoundTrip(url: string, opts: mqtt.IClientOptions): Promise<string> {
  const c = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...opts,
  });
  try {
    await c.subscribeAsync('qhal/test', { qos: 1 });
    const got = new Promise<string>((resolve) => c.on('message', (_t, m) => resolve(m.toString())));
    await c.publishAsync('qhal/test', 'ping', { qos: 1 });
    return await got;
  } finally {
    await c.endAsync();
  }
}

describe('test broker', { timeout: 240_000 }, () => {
  before(async () => {
    broker = await startBroker({});
  });
  after(async () => {
    await broker?.stop();
  });

  it('reports every port and the PKI files', { timeout: 20_000 }, () => {
    const i = broker.info;
    for (const p of [
      i.tcpEcho,
      i.udpEcho,
      i.tls.valid,
      i.tls.wrongHost,
      i.tls.expired,
      i.tls.untrusted,
      i.tls.mutual,
      i.tls.fullRecord,
      i.mqtt.tcp,
      i.mqtt.tls,
      i.control,
      ...(i.dtls ? [i.dtls.psk, i.dtls.cert, i.dtls.untrusted, i.dtls.wrongHost] : []),
    ]) {
      assert.ok(Number.isInteger(p) && p > 0, `port ${p}`);
    }
    for (const f of Object.values(i.pki)) assert.ok(fs.existsSync(f), f);
    const cfg = suiteConfig(i);
    assert.match(cfg, new RegExp(`^tcp-echo=${i.tcpEcho}$`, 'm'));
    assert.match(cfg, /^psk-key=[0-9a-f]{32}$/m);
  });

  it('TCP echo returns 64 KiB intact', { timeout: 20_000 }, async () => {
    const s = net.connect(broker.info.tcpEcho, '127.0.0.1');
    const payload = Buffer.alloc(65536);
    for (let k = 0; k < payload.length; k++) payload[k] = k & 0xff;
    const got = await echoOnce(s, payload);
    s.destroy();
    assert.deepEqual(got, payload);
  });

  it('UDP echo answers a datagram', { timeout: 20_000 }, async () => {
    const s = dgram.createSocket('udp4');
    const got = await new Promise<Buffer>((resolve) => {
      s.on('message', (m) => resolve(m));
      s.send('dgram', broker.info.udpEcho, '127.0.0.1');
    });
    s.close();
    assert.equal(got.toString(), 'dgram');
  });

  it(
    'UDP echo on ::1 answers a datagram (when IPv6 loopback is up)',
    { timeout: 20_000 },
    async (t) => {
      const { udpEcho6 } = broker.info;
      if (udpEcho6 === null) {
        assert.equal(broker.info.tcpEcho6, null, 'both IPv6 echoes, or neither');
        t.skip('no IPv6 loopback here');
        return;
      }
      assert.match(suiteConfig(broker.info), new RegExp(`^udp-echo6=${udpEcho6}$`, 'm'));
      const s = dgram.createSocket('udp6');
      const got = await new Promise<Buffer>((resolve) => {
        s.on('message', (m) => resolve(m));
        s.send('dgram6', udpEcho6, '::1');
      });
      s.close();
      assert.equal(got.toString(), 'dgram6');
    },
  );

  it('TLS valid port verifies against the test CA and echoes', { timeout: 20_000 }, async () => {
    const s = await tlsConnect(broker.info.tls.valid);
    assert.equal(s.authorized, true);
    assert.equal((await echoOnce(s, Buffer.from('tls'))).toString(), 'tls');
    s.destroy();
  });

  it(
    'TLS full-record port sends 16 KiB (i mod 256) first, then echoes',
    { timeout: 20_000 },
    async () => {
      const s = await tlsConnect(broker.info.tls.fullRecord);
      const chunks: Buffer[] = [];
      let total = 0;
      await new Promise<void>((resolve, reject) => {
        s.on('error', reject);
        s.on('data', (d: Buffer) => {
          chunks.push(d);
          total += d.length;
          if (total >= 16384) resolve();
        });
      });
      const got = Buffer.concat(chunks);
      assert.equal(got.length, 16384);
      for (let i = 0; i < got.length; i++) assert.equal(got[i], i & 0xff, `byte ${i}`);
      assert.equal((await echoOnce(s, Buffer.from('after'))).toString(), 'after');
      s.destroy();
    },
  );

  it(
    'TLS wrong-host, expired and untrusted ports fail verification with the expected reason',
    { timeout: 20_000 },
    async () => {
      await assert.rejects(tlsConnect(broker.info.tls.wrongHost), {
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
      await assert.rejects(tlsConnect(broker.info.tls.expired), { code: 'CERT_HAS_EXPIRED' });
      await assert.rejects(tlsConnect(broker.info.tls.untrusted), {
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
    },
  );

  it(
    'mutual TLS port refuses a client without a certificate and accepts the test client',
    { timeout: 20_000 },
    async () => {
      const s0 = await tlsConnect(broker.info.tls.mutual).catch((e: Error) => e);
      if (!(s0 instanceof Error)) {
        // TLS 1.3: the server's rejection arrives after the handshake completes on our side.
        const r = await echoOnce(s0, Buffer.from('x')).catch((e: Error) => e);
        assert.ok(r instanceof Error, 'server accepted a client without a certificate');
        s0.destroy();
      }
      const s = await tlsConnect(broker.info.tls.mutual, {
        cert: fs.readFileSync(broker.info.pki.clientCert),
        key: fs.readFileSync(broker.info.pki.clientKey),
      });
      assert.equal((await echoOnce(s, Buffer.from('mtls'))).toString(), 'mtls');
      s.destroy();
    },
  );

  it('MQTT 3.1.1 round trip over TCP', { timeout: 20_000 }, async () => {
    assert.equal(await mqttRoundTrip(`mqtt://127.0.0.1:${broker.info.mqtt.tcp}`, {}), 'ping');
  });

  it('MQTT 3.1.1 round trip over TLS', { timeout: 20_000 }, async () => {
    const got = await mqttRoundTrip(`mqtts://127.0.0.1:${broker.info.mqtt.tls}`, {
      ca: fs.readFileSync(broker.info.pki.caCert),
      servername: 'localhost',
      rejectUnauthorized: true,
    });
    assert.equal(got, 'ping');
  });

  it('DNS answers the test names', { timeout: 20_000 }, async () => {
    const r = new dnsPromises.Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${broker.info.dns?.port}`]);
    assert.deepEqual(await r.resolve4('one.qhal.test'), ['127.0.0.1']);
    assert.deepEqual(await r.resolve4('multi.qhal.test'), ['127.0.0.2', '127.0.0.1']);
    assert.deepEqual(await r.resolve6('v6.qhal.test'), ['::1']);
    await assert.rejects(r.resolve4('nope.qhal.test'), { code: 'ENOTFOUND' });
    await assert.rejects(r.resolve4('v6.qhal.test'), { code: 'ENODATA' });
  });

  it('fault ports: reset, close after N bytes, refuse', { timeout: 20_000 }, async () => {
    const rs = net.connect(broker.info.faults.reset, '127.0.0.1');
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      rs.on('error', resolve);
      rs.on('connect', () => rs.write('boom'));
    });
    assert.equal(err.code, 'ECONNRESET');

    const ca = net.connect(broker.info.faults.closeAfter, '127.0.0.1');
    const n = await new Promise<number>((resolve) => {
      let k = 0;
      ca.on('data', (d: Buffer) => (k += d.length));
      ca.on('end', () => resolve(k));
    });
    ca.destroy();
    assert.equal(n, broker.info.faults.closeAfterBytes);

    const rf = net.connect(broker.info.faults.refuse, '127.0.0.1');
    const e2 = await new Promise<NodeJS.ErrnoException>((resolve) => rf.on('error', resolve));
    assert.equal(e2.code, 'ECONNREFUSED');
  });

  it(
    'slow reader leaves a writer with a full socket, then drains',
    { timeout: 20_000 },
    async () => {
      const s = net.connect(broker.info.faults.slow, '127.0.0.1');
      await new Promise((r) => s.on('connect', r));
      const chunk = Buffer.alloc(65536, 1);
      let written = 0;
      while (s.write(chunk)) written += chunk.length;
      written += chunk.length;
      assert.ok(s.writableLength > 0, 'kernel took everything at once');
      await new Promise((r) => s.once('drain', r));
      s.destroy();
      assert.ok(written > 0);
    },
  );

  it(
    'control port: connects clients into a server and records broadcasts',
    { timeout: 20_000 },
    async () => {
      assert.equal(await control('ping'), 'ok');
      const server = net.createServer((c) => c.write('hi'));
      const port = await new Promise<number>((r) =>
        server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)),
      );
      assert.equal(await control(`connect ${port} 2`), 'ok 2 0');
      assert.equal(await controlUntil('clients', /^ok 2 0 4$/), 'ok 2 0 4');
      assert.equal(await control('drop-clients'), 'ok');
      server.close();

      const s = dgram.createSocket('udp4');
      await new Promise<void>((r) =>
        s.send('bc', broker.info.broadcast.port, '127.0.0.1', () => r()),
      );
      const bcast = /^ok 1 6263 127\.0\.0\.1:\d+$/;
      const recorded = await controlUntil('bcast', bcast);
      s.close();
      assert.match(recorded, bcast);

      const u = dgram.createSocket('udp4');
      const uport = await new Promise<number>((r) =>
        u.bind(0, '127.0.0.1', () => r(u.address().port)),
      );
      const got = new Promise<dgram.RemoteInfo>((r) => u.on('message', (_m, ri) => r(ri)));
      const reply = await control(`udp-send ${uport} hello`);
      const ri = await got;
      u.close();
      assert.equal(reply, `ok ${ri.port}`);
    },
  );

  it('DTLS PSK echo answers an OpenSSL DTLS 1.2 client', { timeout: 20_000 }, async () => {
    assert.ok(broker.info.dtls);
    const out = await new Promise<string>((resolve) => {
      const p = spawn(
        'openssl',
        [
          's_client',
          '-dtls1_2',
          '-quiet',
          '-psk',
          broker.info.psk.keyHex,
          '-psk_identity',
          broker.info.psk.identity,
          '-connect',
          `127.0.0.1:${broker.info.dtls?.psk}`,
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let o = '';
      p.stdout.on('data', (d: Buffer) => {
        o += d.toString();
        if (o.includes('dtls-hello')) p.kill();
      });
      const t = setTimeout(() => p.kill(), 8000);
      p.on('exit', () => {
        clearTimeout(t);
        resolve(o);
      });
      setTimeout(() => p.stdin.write('dtls-hello\n'), 500);
    });
    assert.match(out, /dtls-hello/, broker.dtlsLog());
  });

  it(
    'DTLS certificate echo answers an OpenSSL DTLS 1.2 client that verifies it',
    { timeout: 20_000 },
    async () => {
      assert.ok(broker.info.dtls);
      const out = await new Promise<string>((resolve) => {
        const p = spawn(
          'openssl',
          [
            's_client',
            '-dtls1_2',
            '-CAfile',
            broker.info.pki.caCert,
            '-verify_return_error',
            '-verify_hostname',
            'localhost',
            '-connect',
            `127.0.0.1:${broker.info.dtls?.cert}`,
          ],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        );
        let o = '';
        p.stdout.on('data', (d: Buffer) => {
          o += d.toString();
          if (o.includes('dtls-cert-hello')) p.kill();
        });
        const t = setTimeout(() => p.kill(), 8000);
        p.on('exit', () => {
          clearTimeout(t);
          resolve(o);
        });
        setTimeout(() => p.stdin.write('dtls-cert-hello\n'), 800);
      });
      assert.match(out, /Verify return code: 0 \(ok\)/, out);
      assert.match(out, /dtls-cert-hello/, broker.dtlsLog());
    },
  );

  it('stop() closes every port and ends the helper processes', { timeout: 20_000 }, async () => {
    const { tcpEcho } = broker.info;
    const pids = broker.info.pids;
    await broker.stop();
    const e = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const s = net.connect(tcpEcho, '127.0.0.1');
      s.on('error', resolve);
      s.on('connect', () => resolve(Object.assign(new Error('still listening'), { code: 'OPEN' })));
    });
    assert.equal(e.code, 'ECONNREFUSED');
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    // stop() has sent the signals; the kernel reaps on its own time (bounded at 5 s).
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
    for (const pid of pids) {
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `helper ${pid} still alive`);
    }
  });
});
