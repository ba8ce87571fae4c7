/**
 * `qhal_mbedtls_config.h`: an mbedtls 2.28 configuration holding only what the board needs
 * (a TLS 1.2 / DTLS 1.2 client; never server code, never MBEDTLS_NET_C, never MD5).
 * Compiled in with `-DMBEDTLS_CONFIG_FILE="qhal_mbedtls_config.h"`; it ends by including
 * mbedtls's own check_config.h, so every compile validates it. Output is deterministic:
 * the same board and target give byte-identical text.
 */
import { X509Certificate } from 'node:crypto';
import type { BoardModel } from '../model/board-model.js';
import { fillConfigTemplate, type ConfigOption } from '../model/config-option.js';
import { calendarClock, needsMbedtls, pskHook } from '../model/decisions.js';
import type { Target } from './targets.js';

export const MBEDTLS_CONFIG_FILE_NAME = 'qhal_mbedtls_config.h';

export interface MbedtlsConfig {
  /** Header text (names the target, not the board: one cached build per configuration). */
  header: string;
  /** What the header sets, in order, each with its reason. */
  options: ConfigOption[];
  /** The MBEDTLS_* macros defined, in order. */
  defines: string[];
  /** Why optional pieces are in (or out), for the build summary. */
  notes: string[];
}

/** Does this board need mbedtls at all? */
export const boardNeedsMbedtls = needsMbedtls;

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
  const hook = pskHook(board);
  const psk = hook !== null;
  // Only boards that need mbedtls check dates (certDatesChecked); the clock is the target's.
  const dates = calendarClock(target);
  const clientCert = board.tls?.clientCertPem !== undefined && board.tls.clientCertPem !== '';
  const pems = [board.tls?.caPem ?? '', board.tls?.clientCertPem ?? ''].filter((p) => p !== '');
  const certs = analyseCerts(pems);
  const notes: string[] = [];
  const options: ConfigOption[] = [];
  const on = (name: string, why: string): void => {
    options.push({ name, why });
  };

  // System support.
  on('MBEDTLS_HAVE_ASM', 'inline assembly for bignum arithmetic (and AES-NI on x86_64)');
  if (dates) {
    on('MBEDTLS_HAVE_TIME', 'time() for the session and DTLS timers');
    on('MBEDTLS_HAVE_TIME_DATE', 'a calendar clock: certificate validity dates are checked');
  } else {
    notes.push(
      'MCU target: no MBEDTLS_HAVE_TIME_DATE (no RTC), so certificate validity dates are not checked',
    );
  }
  on('MBEDTLS_DEPRECATED_REMOVED', 'no deprecated API: nothing of ours uses it');
  if (mcu) on('MBEDTLS_AES_ROM_TABLES', 'AES tables in flash, not computed into RAM');

  // AES-NI / PCLMULQDQ: mbedtls probes the CPU (cpuid) at run time and falls back to its
  // tables, so this is safe on any x86_64; other targets have no such instructions.
  if (target.zigTarget.startsWith('x86_64')) {
    on(
      'MBEDTLS_AESNI_C',
      'AES and GCM in hardware on x86_64, chosen at run time when the CPU has it',
    );
    notes.push('x86_64 target: AES-NI for AES-GCM, chosen at run time when the CPU has it');
  }

  // Entropy.
  if (mcu) {
    on('MBEDTLS_NO_PLATFORM_ENTROPY', 'no OS entropy source on bare metal or FreeRTOS');
    on('MBEDTLS_ENTROPY_HARDWARE_ALT', 'the board provides mbedtls_hardware_poll()');
    notes.push(
      'MCU target: entropy comes from mbedtls_hardware_poll(), which the board must provide at link time',
    );
  } else {
    notes.push('Linux target: entropy from the platform source (getrandom / /dev/urandom)');
  }

  // Curves: P-256 and X25519 for ECDHE, more only when a certificate uses them.
  const curves = new Set<string>(['prime256v1', ...certs.curves]);
  for (const c of ['prime256v1', 'secp384r1', 'secp521r1']) {
    if (!curves.has(c)) continue;
    on(
      CURVE_MACROS[c] as string,
      c === 'prime256v1' ? 'P-256: ECDHE and ECDSA, offered first' : `${c}: a certificate uses it`,
    );
  }
  on('MBEDTLS_ECP_DP_CURVE25519_ENABLED', 'X25519 for ECDHE, offered after P-256');
  on('MBEDTLS_ECP_NIST_OPTIM', 'fast reduction for the NIST curves');
  if (certs.curves.has('secp384r1')) notes.push('P-384 enabled: a certificate uses it');
  if (certs.curves.has('secp521r1')) notes.push('P-521 enabled: a certificate uses it');

  on('MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED', 'forward-secret key exchange with RSA servers');
  on('MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED', 'forward-secret key exchange with ECDSA servers');
  if (psk) {
    on('MBEDTLS_KEY_EXCHANGE_PSK_ENABLED', `DTLS pre-shared keys from the board's hook ${hook}`);
    on('MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED', 'forward-secret PSK key exchange');
    notes.push(`PSK key exchanges enabled: the board's PSK hook ${hook}`);
  }

  on('MBEDTLS_PKCS1_V15', 'RSA signatures of certificates and servers');
  if (certs.pss) {
    on('MBEDTLS_PKCS1_V21', 'RSASSA-PSS: a certificate is signed with it');
    on('MBEDTLS_X509_RSASSA_PSS_SUPPORT', 'RSASSA-PSS in X.509');
    notes.push('RSASSA-PSS enabled: a certificate is signed with it');
  }

  // TLS.
  on('MBEDTLS_SSL_ALL_ALERT_MESSAGES', 'tell the peer why a handshake failed');
  on('MBEDTLS_SSL_EXTENDED_MASTER_SECRET', 'RFC 7627: binds the master secret to the handshake');
  on('MBEDTLS_SSL_PROTO_TLS1_2', 'TLS 1.2 only: no older version is offered');
  on(
    'MBEDTLS_SSL_SERVER_NAME_INDICATION',
    'SNI: servers with several names pick the right certificate',
  );
  on('MBEDTLS_X509_CHECK_KEY_USAGE', "the server certificate's key usage is checked");
  on(
    'MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE',
    "the server certificate's extended key usage is checked",
  );
  if (dtls) {
    on('MBEDTLS_SSL_PROTO_DTLS', "DTLS 1.2, for the board's dtls feature");
    on('MBEDTLS_SSL_DTLS_ANTI_REPLAY', 'replayed records are dropped');
    on('MBEDTLS_SSL_DTLS_HELLO_VERIFY', 'servers can check the return address before any work');
    on('MBEDTLS_SSL_DTLS_BADMAC_LIMIT', 'a link with too many forged records is closed');
  }
  options.push({
    name: 'MBEDTLS_SSL_CIPHERSUITES',
    value: cipherSuites(certs.sha512, psk).join(', '),
    why:
      'AEAD suites only, fastest first: ECDHE with AES-128-GCM' +
      (certs.sha512 ? ', then AES-256-GCM' : '') +
      (psk ? ', then PSK (GCM before CCM)' : ''),
  });

  // Modules (no MBEDTLS_NET_C: the HAL does its own sockets; no MBEDTLS_SSL_SRV_C; no MD5).
  const modules: [string, string][] = [
    ['MBEDTLS_AES_C', 'AES, the only cipher offered'],
    ['MBEDTLS_ASN1_PARSE_C', 'certificates and keys are ASN.1'],
    ['MBEDTLS_ASN1_WRITE_C', 'ECDSA signatures are written as ASN.1'],
    ['MBEDTLS_BASE64_C', 'PEM is base64'],
    ['MBEDTLS_BIGNUM_C', 'RSA and elliptic curves'],
    ...(psk ? ([['MBEDTLS_CCM_C', 'AES-CCM for the PSK suites']] as [string, string][]) : []),
    ['MBEDTLS_CIPHER_C', "mbedtls's cipher layer"],
    ['MBEDTLS_CTR_DRBG_C', 'the random generator, seeded from entropy'],
    ['MBEDTLS_ECDH_C', 'ECDHE key exchange'],
    ['MBEDTLS_ECDSA_C', 'ECDSA certificates and servers'],
    ['MBEDTLS_ECP_C', 'elliptic curves'],
    ['MBEDTLS_ENTROPY_C', 'the entropy pool'],
    ['MBEDTLS_GCM_C', 'AES-GCM, the preferred AEAD'],
    ['MBEDTLS_MD_C', "mbedtls's hash layer"],
    ['MBEDTLS_OID_C', 'algorithm identifiers in certificates'],
    ['MBEDTLS_PEM_PARSE_C', 'the CA bundle and client credentials are PEM'],
    ['MBEDTLS_PK_C', 'public keys'],
    ['MBEDTLS_PK_PARSE_C', 'public and private key parsing'],
    ['MBEDTLS_RSA_C', 'RSA certificates and servers'],
    ...(certs.sha1
      ? ([['MBEDTLS_SHA1_C', 'a SHA-1-signed certificate in the bundle must parse']] as [
          string,
          string,
        ][])
      : []),
    ['MBEDTLS_SHA256_C', 'SHA-256: the TLS 1.2 PRF and certificate signatures'],
    ...(certs.sha512
      ? ([['MBEDTLS_SHA512_C', 'SHA-384/512: a certificate uses it']] as [string, string][])
      : []),
    ['MBEDTLS_SSL_CLI_C', 'client side only: no MBEDTLS_SSL_SRV_C'],
    ['MBEDTLS_SSL_TLS_C', 'the TLS layer (no MBEDTLS_NET_C: the HAL does its own sockets)'],
    ...(dtls && !mcu
      ? ([['MBEDTLS_TIMING_C', 'DTLS retransmission timers from the OS']] as [string, string][])
      : []),
    ['MBEDTLS_X509_USE_C', 'X.509 certificates'],
    ['MBEDTLS_X509_CRT_PARSE_C', 'server certificate chains are verified'],
  ];
  for (const [name, why] of modules) on(name, why);
  if (certs.sha1) {
    notes.push(
      'SHA-1 enabled only so a SHA-1-signed certificate in the bundle parses; the X.509 profile accepts SHA-2 only',
    );
  }
  if (certs.sha512) notes.push('SHA-384/512 enabled: a certificate uses it');
  if (!certs.sha512) {
    on('MBEDTLS_ENTROPY_FORCE_SHA256', 'the entropy accumulator on SHA-256: SHA-512 is not built');
  }
  if (dtls && mcu)
    notes.push('DTLS on MCU: the HAL supplies the timer callbacks (no MBEDTLS_TIMING_C)');
  if (clientCert)
    notes.push('client certificate: PK parsing and signing with the board key (RSA or ECDSA)');
  for (const u of certs.unsupported) notes.push(`warning: ${u}`);

  // Names only the target: boards with the same configuration share one cached mbedtls build.
  const header = fillConfigTemplate(MBEDTLS_CONFIG_FILE_NAME, { TARGET: target.id }, options);
  return {
    header,
    defines: options.map((o) => o.name),
    options,
    notes,
  };
}

/** Why the generated configuration could not use certificates in `pem` (none: empty list). */
export function unsupportedCertificates(pem: string): string[] {
  return analyseCerts([pem]).unsupported;
}
