/**
 * `qhal_mbedtls_config.h`: an mbedtls 2.28 configuration holding only what the board needs
 * (a TLS 1.2 / DTLS 1.2 client; never server code, never MBEDTLS_NET_C, never MD5).
 * Compiled in with `-DMBEDTLS_CONFIG_FILE="qhal_mbedtls_config.h"`; it ends by including
 * mbedtls's own check_config.h, so every compile validates it. Output is deterministic:
 * the same board and target give byte-identical text.
 */
import { X509Certificate } from 'node:crypto';
import type { BoardModel } from '../model/board-model.js';
import type { Target } from './targets.js';

export const MBEDTLS_CONFIG_FILE_NAME = 'qhal_mbedtls_config.h';

export interface MbedtlsConfig {
  /** Header text (names the board). */
  header: string;
  /**
   * The same header without the board's name: what the cached library build uses, so boards
   * with the same configuration share one mbedtls build.
   */
  libraryHeader: string;
  /** The MBEDTLS_* macros defined, in order. */
  defines: string[];
  /** Why optional pieces are in (or out), for the build summary. */
  notes: string[];
}

/** Does this board need mbedtls at all? */
export function boardNeedsMbedtls(board: BoardModel): boolean {
  return board.features.tls || board.features.dtls;
}

// --- what the board's certificates need -------------------------------------------------

interface CertNeeds {
  sha1: boolean;
  sha512: boolean; // SHA-384 / SHA-512 (one module in 2.28)
  pss: boolean;
  curves: Set<string>;
  unsupported: string[];
}

const SIG_OIDS: Record<
  string,
  { hash: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'pss'; name: string }
> = {
  '1.2.840.113549.1.1.4': { hash: 'md5', name: 'md5WithRSAEncryption' },
  '1.2.840.113549.1.1.5': { hash: 'sha1', name: 'sha1WithRSAEncryption' },
  '1.2.840.113549.1.1.14': { hash: 'sha224', name: 'sha224WithRSAEncryption' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', name: 'sha256WithRSAEncryption' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', name: 'sha384WithRSAEncryption' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', name: 'sha512WithRSAEncryption' },
  '1.2.840.113549.1.1.10': { hash: 'pss', name: 'RSASSA-PSS' },
  '1.2.840.10045.4.1': { hash: 'sha1', name: 'ecdsa-with-SHA1' },
  '1.2.840.10045.4.3.1': { hash: 'sha224', name: 'ecdsa-with-SHA224' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', name: 'ecdsa-with-SHA256' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', name: 'ecdsa-with-SHA384' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', name: 'ecdsa-with-SHA512' },
};

const CURVE_MACROS: Record<string, string> = {
  prime256v1: 'MBEDTLS_ECP_DP_SECP256R1_ENABLED',
  secp384r1: 'MBEDTLS_ECP_DP_SECP384R1_ENABLED',
  secp521r1: 'MBEDTLS_ECP_DP_SECP521R1_ENABLED',
};

/** One DER TLV at `off`: returns [tag, contentStart, contentEnd]. */
function tlv(der: Uint8Array, off: number): [number, number, number] {
  const tag = der[off] as number;
  let len = der[off + 1] as number;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] as number);
    start += n;
  }
  return [tag, start, start + len];
}

function oidToString(b: Uint8Array): string {
  const parts: number[] = [];
  const first = b[0] as number;
  parts.push(Math.floor(first / 40), first % 40);
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    const byte = b[i] as number;
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** The certificate's outer signatureAlgorithm OID (Certificate ::= SEQ { tbs, sigAlg, sig }). */
function signatureOid(der: Uint8Array): string | null {
  try {
    const [, certStart] = tlv(der, 0);
    const [, , tbsEnd] = tlv(der, certStart);
    const [algTag, algStart] = tlv(der, tbsEnd);
    if (algTag !== 0x30) return null;
    const [oidTag, oidStart, oidEnd] = tlv(der, algStart);
    if (oidTag !== 0x06) return null;
    return oidToString(der.subarray(oidStart, oidEnd));
  } catch {
    return null;
  }
}

function pemCertificates(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    out.push(Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

function analyseCerts(pems: string[]): CertNeeds {
  const needs: CertNeeds = {
    sha1: false,
    sha512: false,
    pss: false,
    curves: new Set(),
    unsupported: [],
  };
  for (const pem of pems) {
    for (const der of pemCertificates(pem)) {
      const oid = signatureOid(der);
      const alg = oid ? SIG_OIDS[oid] : undefined;
      let subject = '(unparsable certificate)';
      try {
        const x = new X509Certificate(Buffer.from(der));
        subject = x.subject.replace(/\n/g, ', ');
        const key = x.publicKey;
        if (key.asymmetricKeyType === 'ec') {
          const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
          if (CURVE_MACROS[curve]) needs.curves.add(curve);
          else needs.unsupported.push(`${subject}: EC curve ${curve} is not enabled`);
        } else if (key.asymmetricKeyType === 'rsa-pss') {
          needs.pss = true;
        } else if (key.asymmetricKeyType !== 'rsa') {
          needs.unsupported.push(
            `${subject}: ${key.asymmetricKeyType ?? 'unknown'} keys are not supported by mbedtls 2.28`,
          );
        }
      } catch {
        // node could not parse it either; the signature OID (if any) still counts
      }
      if (!alg) {
        needs.unsupported.push(
          `${subject}: signature algorithm ${oid ?? 'unknown'} is not supported`,
        );
        continue;
      }
      if (alg.hash === 'md5')
        needs.unsupported.push(`${subject}: ${alg.name} (MD5 is never enabled)`);
      if (alg.hash === 'sha1') needs.sha1 = true;
      if (alg.hash === 'sha384' || alg.hash === 'sha512') needs.sha512 = true;
      if (alg.hash === 'pss') {
        needs.pss = true;
        needs.sha512 = true; // PSS parameters may name SHA-384/512
      }
    }
  }
  return needs;
}

// --- cipher suites -----------------------------------------------------------------------

/**
 * The suites the client offers, best first (MBEDTLS_SSL_CIPHERSUITES replaces mbedtls's own
 * list, whose order starts with AES-256 and, for PSK, CCM). Only AEAD suites the build can
 * do: ECDHE with AES-128-GCM before AES-256-GCM (SHA-384 is built only when a certificate
 * needs SHA-384/512); with a PSK hook, PSK suites after them (GCM before CCM). Forward-secret
 * ECDHE suites stay first, and nothing weaker than the default build offered is added.
 */
function cipherSuites(sha384: boolean, psk: boolean): string[] {
  const s = (n: string): string => `MBEDTLS_TLS_${n}`;
  const out = [s('ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'), s('ECDHE_RSA_WITH_AES_128_GCM_SHA256')];
  if (sha384)
    out.push(s('ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'), s('ECDHE_RSA_WITH_AES_256_GCM_SHA384'));
  if (psk) {
    out.push(s('PSK_WITH_AES_128_GCM_SHA256'));
    if (sha384) out.push(s('PSK_WITH_AES_256_GCM_SHA384'));
    out.push(s('PSK_WITH_AES_128_CCM'), s('PSK_WITH_AES_256_CCM'));
  }
  return out;
}

// --- the header -------------------------------------------------------------------------

/** The configuration for a board on a target (deterministic). */
export function generateMbedtlsConfig(board: BoardModel, target: Target): MbedtlsConfig {
  const f = board.features;
  const mcu = target.kind === 'mcu';
  const dtls = f.dtls;
  const psk = dtls && board.tls?.pskHook !== undefined && board.tls.pskHook !== '';
  const clientCert = board.tls?.clientCertPem !== undefined && board.tls.clientCertPem !== '';
  const pems = [board.tls?.caPem ?? '', board.tls?.clientCertPem ?? ''].filter((p) => p !== '');
  const certs = analyseCerts(pems);
  const notes: string[] = [];
  const defines: string[] = [];
  const sections: string[] = [];

  const section = (title: string, items: [string, string?][]): void => {
    const lines = [`/* ${title} */`];
    for (const [macro, value] of items) {
      defines.push(macro);
      lines.push(value === undefined ? `#define ${macro}` : `#define ${macro} ${value}`);
    }
    sections.push(lines.join('\n'));
  };

  // System support.
  const system: [string, string?][] = [['MBEDTLS_HAVE_ASM']];
  if (!mcu) {
    system.push(['MBEDTLS_HAVE_TIME'], ['MBEDTLS_HAVE_TIME_DATE']);
  } else {
    notes.push(
      'MCU target: no MBEDTLS_HAVE_TIME_DATE (no RTC), so certificate validity dates are not checked',
    );
  }
  system.push(['MBEDTLS_DEPRECATED_REMOVED']);
  if (mcu) system.push(['MBEDTLS_AES_ROM_TABLES']);
  section('System support', system);

  // AES-NI / PCLMULQDQ: AES and GCM's GHASH in hardware. mbedtls probes the CPU (cpuid) at
  // run time and falls back to its tables, so this is safe on any x86_64; other targets have
  // no such instructions and aesni.c would compile to nothing, so they do not get the macro.
  if (target.zigTarget.startsWith('x86_64')) {
    section('AES-NI and carry-less multiply on x86_64 (used when the CPU has them)', [
      ['MBEDTLS_AESNI_C'],
    ]);
    notes.push('x86_64 target: AES-NI for AES-GCM, chosen at run time when the CPU has it');
  }

  // Entropy.
  if (mcu) {
    section(
      'Entropy: no OS source; the board provides mbedtls_hardware_poll() (MBEDTLS_ENTROPY_HARDWARE_ALT)',
      [['MBEDTLS_NO_PLATFORM_ENTROPY'], ['MBEDTLS_ENTROPY_HARDWARE_ALT']],
    );
    notes.push(
      'MCU target: entropy comes from mbedtls_hardware_poll(), which the board must provide at link time',
    );
  } else {
    notes.push('Linux target: entropy from the platform source (getrandom / /dev/urandom)');
  }

  // Public key and curves.
  const curves = new Set<string>(['prime256v1', ...certs.curves]);
  const curveItems: [string, string?][] = [];
  for (const c of ['prime256v1', 'secp384r1', 'secp521r1']) {
    if (curves.has(c)) curveItems.push([CURVE_MACROS[c] as string]);
  }
  curveItems.push(['MBEDTLS_ECP_DP_CURVE25519_ENABLED'], ['MBEDTLS_ECP_NIST_OPTIM']);
  section(
    'Elliptic curves (P-256 and X25519 for ECDHE; more only when a certificate uses them)',
    curveItems,
  );
  if (certs.curves.has('secp384r1')) notes.push('P-384 enabled: a certificate uses it');
  if (certs.curves.has('secp521r1')) notes.push('P-521 enabled: a certificate uses it');

  const kx: [string, string?][] = [
    ['MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED'],
    ['MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED'],
  ];
  if (psk)
    kx.push(['MBEDTLS_KEY_EXCHANGE_PSK_ENABLED'], ['MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED']);
  section('Key exchanges (client side)', kx);
  if (psk)
    notes.push(`PSK key exchanges enabled: the board's PSK hook ${board.tls?.pskHook ?? ''}`);

  const pkcs: [string, string?][] = [['MBEDTLS_PKCS1_V15']];
  if (certs.pss) {
    pkcs.push(['MBEDTLS_PKCS1_V21'], ['MBEDTLS_X509_RSASSA_PSS_SUPPORT']);
    notes.push('RSASSA-PSS enabled: a certificate is signed with it');
  }
  section('RSA padding', pkcs);

  // TLS.
  const tls: [string, string?][] = [
    ['MBEDTLS_SSL_ALL_ALERT_MESSAGES'],
    ['MBEDTLS_SSL_EXTENDED_MASTER_SECRET'],
    ['MBEDTLS_SSL_PROTO_TLS1_2'],
    ['MBEDTLS_SSL_SERVER_NAME_INDICATION'],
    ['MBEDTLS_X509_CHECK_KEY_USAGE'],
    ['MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE'],
  ];
  if (dtls) {
    tls.push(
      ['MBEDTLS_SSL_PROTO_DTLS'],
      ['MBEDTLS_SSL_DTLS_ANTI_REPLAY'],
      ['MBEDTLS_SSL_DTLS_HELLO_VERIFY'],
      ['MBEDTLS_SSL_DTLS_BADMAC_LIMIT'],
    );
  }
  section(dtls ? 'TLS 1.2 and DTLS 1.2, client only' : 'TLS 1.2, client only', tls);
  section(
    'Cipher suites offered, in order of preference: ECDHE with AES-128-GCM first (the fastest AEAD here)',
    [['MBEDTLS_SSL_CIPHERSUITES', cipherSuites(certs.sha512, psk).join(', \\\n    ')]],
  );

  // Modules.
  const modules = [
    'MBEDTLS_AES_C',
    'MBEDTLS_ASN1_PARSE_C',
    'MBEDTLS_ASN1_WRITE_C',
    'MBEDTLS_BASE64_C',
    'MBEDTLS_BIGNUM_C',
    ...(psk ? ['MBEDTLS_CCM_C'] : []),
    'MBEDTLS_CIPHER_C',
    'MBEDTLS_CTR_DRBG_C',
    'MBEDTLS_ECDH_C',
    'MBEDTLS_ECDSA_C',
    'MBEDTLS_ECP_C',
    'MBEDTLS_ENTROPY_C',
    'MBEDTLS_GCM_C',
    'MBEDTLS_MD_C',
    'MBEDTLS_OID_C',
    'MBEDTLS_PEM_PARSE_C',
    'MBEDTLS_PK_C',
    'MBEDTLS_PK_PARSE_C',
    'MBEDTLS_RSA_C',
    ...(certs.sha1 ? ['MBEDTLS_SHA1_C'] : []),
    'MBEDTLS_SHA256_C',
    ...(certs.sha512 ? ['MBEDTLS_SHA512_C'] : []),
    'MBEDTLS_SSL_CLI_C',
    'MBEDTLS_SSL_TLS_C',
    ...(dtls && !mcu ? ['MBEDTLS_TIMING_C'] : []),
    'MBEDTLS_X509_USE_C',
    'MBEDTLS_X509_CRT_PARSE_C',
  ];
  section(
    'Modules (no MBEDTLS_NET_C: the HAL does its own sockets; no MBEDTLS_SSL_SRV_C; no MD5)',
    modules.map((m) => [m]),
  );
  if (certs.sha1) {
    notes.push(
      'SHA-1 enabled only so a SHA-1-signed certificate in the bundle parses; the X.509 profile accepts SHA-2 only',
    );
  }
  if (certs.sha512) notes.push('SHA-384/512 enabled: a certificate uses it');
  if (!certs.sha512) {
    section('Entropy accumulator on SHA-256 (SHA-512 is not built)', [
      ['MBEDTLS_ENTROPY_FORCE_SHA256'],
    ]);
  }
  if (dtls && mcu)
    notes.push('DTLS on MCU: the HAL supplies the timer callbacks (no MBEDTLS_TIMING_C)');
  if (clientCert)
    notes.push('client certificate: PK parsing and signing with the board key (RSA or ECDSA)');
  for (const u of certs.unsupported) notes.push(`warning: ${u}`);

  const render = (forWhat: string): string =>
    [
      '/*',
      ` * qhal_mbedtls_config.h - generated by qhal-gen for ${forWhat}.`,
      ' * mbedtls 2.28 configuration: TLS client only, just the features the board enables.',
      ' * Do not edit; regenerate instead.',
      ' */',
      '#ifndef QHAL_MBEDTLS_CONFIG_H',
      '#define QHAL_MBEDTLS_CONFIG_H',
      '',
      sections.join('\n\n'),
      '',
      '/* mbedtls validates this configuration on every compile. */',
      '#include "mbedtls/check_config.h"',
      '',
      '#endif /* QHAL_MBEDTLS_CONFIG_H */',
      '',
    ].join('\n');
  return {
    header: render(`board "${board.name}" on target ${target.id}`),
    libraryHeader: render(`target ${target.id} (library build)`),
    defines,
    notes,
  };
}

/** Why the generated configuration could not use certificates in `pem` (none: empty list). */
export function unsupportedCertificates(pem: string): string[] {
  return analyseCerts([pem]).unsupported;
}
