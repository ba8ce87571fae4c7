/**
 * The broker's test PKI, made fresh with the `openssl` CLI: ECDSA P-256 keys, SHA-256
 * signatures. One trusted CA signs the good server certificate (localhost, 127.0.0.1, ::1
 * and *.qhal.test), a certificate for the wrong host, an expired one and the client
 * certificate for mutual TLS; a second, untrusted CA signs one more server certificate.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  wrongHostCert: string;
  wrongHostKey: string;
  expiredCert: string;
  expiredKey: string;
  untrustedCaCert: string;
  untrustedCert: string;
  untrustedKey: string;
  clientCert: string;
  clientKey: string;
}

export function pkiPaths(dir: string): Pki {
  const f = (n: string) => path.join(dir, n);
  return {
    dir,
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    wrongHostCert: f('wrong-host.crt'),
    wrongHostKey: f('wrong-host.key'),
    expiredCert: f('expired.crt'),
    expiredKey: f('expired.key'),
    untrustedCaCert: f('untrusted-ca.crt'),
    untrustedCert: f('untrusted.crt'),
    untrustedKey: f('untrusted.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
  };
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: 30_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`);
  }
}

async function key(file: string, cwd: string): Promise<void> {
  await openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file],
    cwd,
  );
}

async function selfSignedCa(
  keyFile: string,
  certFile: string,
  cn: string,
  cwd: string,
): Promise<void> {
  await key(keyFile, cwd);
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-sha256',
      '-key',
      keyFile,
      '-days',
      '30',
      '-subj',
      `/CN=${cn}`,
      '-out',
      certFile,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    cwd,
  );
}

/** A validity that ended long ago (`openssl ca` dates), for the expired certificate. */
const EXPIRED_DATES: [string, string] = ['20200101000000Z', '20200201000000Z'];

interface Leaf {
  name: string;
  cn: string;
  san: string;
  usage: 'serverAuth' | 'clientAuth';
  caCert: string;
  caKey: string;
  /** openssl `ca` dates (YYYYMMDDHHMMSSZ) for an expired certificate. */
  dates?: [string, string];
}

/** The leaf's key and signing request: they need no CA, so they are made alongside the CAs. */
async function leafRequest(l: Leaf, cwd: string): Promise<void> {
  const keyFile = `${l.name}.key`;
  await key(keyFile, cwd);
  await openssl(
    ['req', '-new', '-sha256', '-key', keyFile, '-subj', `/CN=${l.cn}`, '-out', `${l.name}.csr`],
    cwd,
  );
}

/** Signs the leaf's request with its CA. */
async function signLeaf(l: Leaf, cwd: string): Promise<void> {
  const ext = [
    '[ext]',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${l.usage}`,
    `subjectAltName=${l.san}`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(cwd, `${l.name}.ext`), ext);
  if (l.dates) {
    // `openssl x509 -req` (3.0) cannot set past dates; `openssl ca` can.
    const db = path.join(cwd, `${l.name}-db`);
    fs.mkdirSync(db, { recursive: true });
    fs.writeFileSync(path.join(db, 'index.txt'), '');
    fs.writeFileSync(path.join(db, 'serial'), '1000\n');
    const conf = [
      '[ca]',
      'default_ca=test',
      '[test]',
      `dir=${db}`,
      'database=$dir/index.txt',
      'serial=$dir/serial',
      'new_certs_dir=$dir',
      'default_md=sha256',
      'policy=any',
      'unique_subject=no',
      'copy_extensions=none',
      '[any]',
      'commonName=supplied',
      ext,
    ].join('\n');
    fs.writeFileSync(path.join(cwd, `${l.name}.cnf`), conf);
    await openssl(
      [
        'ca',
        '-batch',
        '-notext',
        '-config',
        `${l.name}.cnf`,
        '-extensions',
        'ext',
        '-cert',
        l.caCert,
        '-keyfile',
        l.caKey,
        '-startdate',
        l.dates[0],
        '-enddate',
        l.dates[1],
        '-in',
        `${l.name}.csr`,
        '-out',
        `${l.name}.crt`,
      ],
      cwd,
    );
    return;
  }
  await openssl(
    [
      'x509',
      '-req',
      '-sha256',
      '-in',
      `${l.name}.csr`,
      '-CA',
      l.caCert,
      '-CAkey',
      l.caKey,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      '30',
      '-extfile',
      `${l.name}.ext`,
      '-extensions',
      'ext',
      '-out',
      `${l.name}.crt`,
    ],
    cwd,
  );
}

/** True when `dir` already holds a complete PKI (made by createPki). */
export function pkiComplete(dir: string): boolean {
  const p = pkiPaths(dir);
  return Object.entries(p).every(([k, v]) => k === 'dir' || fs.existsSync(v));
}

/** Makes the test PKI in `dir` (created if missing) and returns its file paths. */
export async function createPki(dir: string): Promise<Pki> {
  fs.mkdirSync(dir, { recursive: true });
  const p = pkiPaths(dir);
  // The broker's addresses as the HAL reaches it: loopback, the lwIP tap namespace's host side
  // (toolkit/run/namespace.ts) and QEMU's user-mode gateway, so a HAL may name it by address.
  const good = 'DNS:localhost,DNS:*.qhal.test,IP:127.0.0.1,IP:::1,IP:10.77.1.1,IP:10.0.2.2';
  const trusted = { usage: 'serverAuth', caCert: 'ca.crt', caKey: 'ca.key' } as const;
  const leaves: Leaf[] = [
    { name: 'server', cn: 'localhost', san: good, ...trusted },
    { name: 'wrong-host', cn: 'wrong.invalid', san: 'DNS:wrong.invalid', ...trusted },
    {
      name: 'untrusted',
      cn: 'localhost',
      san: good,
      usage: 'serverAuth',
      caCert: 'untrusted-ca.crt',
      caKey: 'untrusted-ca.key',
    },
    {
      name: 'client',
      cn: 'qhal-test-device',
      san: 'DNS:qhal-test-device',
      usage: 'clientAuth',
      caCert: 'ca.crt',
      caKey: 'ca.key',
    },
    { name: 'expired', cn: 'localhost', san: good, ...trusted, dates: EXPIRED_DATES },
  ];
  // Every key and request at once, then every signature: a run waits for three openssl
  // processes in a row instead of ten (it made the PKI first in every `qhal-gen test`).
  await Promise.all([
    selfSignedCa('ca.key', 'ca.crt', 'qhal-gen broker test CA', dir),
    selfSignedCa('untrusted-ca.key', 'untrusted-ca.crt', 'qhal-gen untrusted CA', dir),
    ...leaves.map((l) => leafRequest(l, dir)),
  ]);
  await Promise.all(leaves.map((l) => signLeaf(l, dir)));
  return p;
}
