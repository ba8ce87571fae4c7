/**
 * The board's security posture as the report shows it, derived from the board model and the
 * mbedtls configuration qhal-gen generates for it (the same defines the build compiles with).
 */
import type { BoardModel } from '../model/board-model.js';
import { certDatesChecked, pskHook } from '../model/decisions.js';
import { boardNeedsMbedtls, generateMbedtlsConfig } from '../toolchain/mbedtls-config.js';
import type { Target } from '../toolchain/targets.js';

export interface SecurityPosture {
  tls: boolean;
  dtls: boolean;
  /** `required` (chain and host name checked) or the board's insecure opt-out; null without TLS. */
  verify: string | null;
  versions: string[];
  /** Key exchanges × ciphers mbedtls is built with; its suites are those combinations. */
  keyExchanges: string[];
  ciphers: string[];
  /** The board's PSK hook (DTLS), or null: certificates. */
  psk: string | null;
  clientCertificate: boolean;
  entropy: string;
  certificateDates: boolean;
}

const KX: [string, string][] = [
  ['MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED', 'ECDHE-RSA'],
  ['MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED', 'ECDHE-ECDSA'],
  ['MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED', 'ECDHE-PSK'],
  ['MBEDTLS_KEY_EXCHANGE_PSK_ENABLED', 'PSK'],
];

export function securityPosture(board: BoardModel, target: Target): SecurityPosture {
  const entropy =
    board.entropy === null
      ? 'operating system (getrandom)'
      : board.entropy === 'test-only'
        ? 'TEST-ONLY-NOT-RANDOM (emulators and test benches only)'
        : `board hook ${board.entropy.hook}()`;
  if (!boardNeedsMbedtls(board) || !board.tls) {
    return {
      tls: false,
      dtls: false,
      verify: null,
      versions: [],
      keyExchanges: [],
      ciphers: [],
      psk: null,
      clientCertificate: false,
      entropy,
      certificateDates: false,
    };
  }
  const defines = new Set(generateMbedtlsConfig(board, target).defines);
  const has = (d: string) => defines.has(d);
  const sha384 = has('MBEDTLS_SHA512_C');
  const ciphers = [
    ...(has('MBEDTLS_GCM_C')
      ? ['AES-128-GCM-SHA256', ...(sha384 ? ['AES-256-GCM-SHA384'] : [])]
      : []),
    ...(has('MBEDTLS_CCM_C') ? ['AES-128-CCM', 'AES-256-CCM'] : []),
  ];
  return {
    tls: board.features.tls,
    dtls: board.features.dtls,
    verify: board.tls.verify,
    versions: [
      ...(has('MBEDTLS_SSL_PROTO_TLS1_2') && board.features.tls ? ['TLS 1.2'] : []),
      ...(has('MBEDTLS_SSL_PROTO_DTLS') ? ['DTLS 1.2'] : []),
    ],
    keyExchanges: KX.filter(([d]) => has(d)).map(([, n]) => n),
    ciphers,
    psk: pskHook(board),
    clientCertificate: board.tls.clientCertPem !== undefined,
    entropy,
    certificateDates: certDatesChecked(board, target),
  };
}
