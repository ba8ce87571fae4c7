/** Expected diagnostics (`line:col: message`) for each file in test/fixtures/malformed/. */
export const MALFORMED: Record<string, string[]> = {
  'board-throws': [
    "3:1: board files hold only imports from 'qhal-gen', consts, types and the default export (found if statement)",
  ],
  'ca-file-missing': [
    '18:10: tls.caFile: file not found: missing-ca.pem (relative to the board file)',
  ],
  'ca-file-not-pem': [
    '18:10: tls.caFile: not-a-cert.pem holds no PEM certificate (-----BEGIN CERTIFICATE-----)',
  ],
  'client-cert-without-key': ['18:28: clientCertFile needs clientKeyFile'],
  'connect-unknown-mode': [
    '20:3: Type \'"blocking"\' is not assignable to type \'"async" | "sync" | undefined\'.',
  ],
  'core-version-empty': ['20:11: core.version must not be empty'],
  'dns-max-addresses-zero': [
    '15:12: features.dns.maxAddresses must be an integer from 1 to 16 (got 0)',
  ],
  'dtls-without-udp': ['12:5: dtls needs udp: true'],
  'file-name-with-folder': [
    "21:23: sdk.fileNames.header: 'driverLayer/qhal_Socket.h' must be a plain file name ending in .h",
  ],
  'lwip-dns-many-addresses': [
    "16:12: features.dns.maxAddresses: lwIP's resolver returns one address per name; lwip-socket needs 1, not 4",
  ],
  'max-clients-256': [
    '13:18: features.tcpServer.maxClients must be an integer from 1 to 255 (got 256)',
  ],
  'max-clients-zero': [
    '13:18: features.tcpServer.maxClients must be an integer from 1 to 255 (got 0)',
  ],
  'max-sockets-fraction': ['19:13: limits.maxSockets must be an integer from 1 to 1024 (got 3.5)'],
  'max-sockets-zero': ['19:13: limits.maxSockets must be an integer from 1 to 1024 (got 0)'],
  'missing-features': [
    '3:28: Argument of type \'{ name: string; target: "x86_64-linux-musl"; stack: "posix"; os: "posix"; tls: { caFile: string; }; limits: { maxSockets: number; rxBufferSize: number; ioTaskStackSize: number; ioTaskPriority: number; }; core: { ...; }; }\' is not assignable to parameter of type \'BoardDescription\'. Property \'features\' is missing in type \'{ name: string; target: "x86_64-linux-musl"; stack: "posix"; os: "posix"; tls: { caFile: string; }; limits: { maxSockets: number; rxBufferSize: number; ioTaskStackSize: number; ioTaskPriority: number; }; core: { ...; }; }\' but required in type \'BoardDescription\'.',
  ],
  'misspelled-property': [
    "14:5: Object literal may only specify known properties, but 'broadcats' does not exist in type 'BoardFeatures'. Did you mean to write 'broadcast'?",
  ],
  'name-is-number': ["4:3: Type 'number' is not assignable to type 'string'."],
  'no-default-export': ['1:1: board file has no default export'],
  'posix-stack-on-mcu': [
    '6:3: target "cortex-m3" does not support stack "posix" (supported: lwip-raw, lwip-socket)',
    "11:5: TLS on an MCU needs an entropy source: entropy: { hook: 'your_rng_fn' } (or 'TEST-ONLY-NOT-RANDOM' for emulators and test benches)",
  ],
  'psk-hook-not-identifier': ["18:35: tls.psk.hook must be a C identifier (got 'my-psk()')"],
  'relative-import': ["2:24: board files may import only from 'qhal-gen' (found './limits.js')"],
  'tx-queue-too-small': ['23:5: limits.txQueueSize must be an integer from 256 to 65536 (got 100)'],
  'tx-queue-too-large-lwip-socket': [
    '24:5: limits.txQueueSize must be an integer from 256 to 65535 (got 65536)',
  ],
  'tx-queue-on-posix': [
    "24:5: limits.txQueueSize is for the lwIP stacks: on posix the kernel's send buffer queues writes",
  ],
  'rx-buffer-too-large': [
    '19:28: limits.rxBufferSize must be an integer from 256 to 65536 (got 1048576)',
  ],
  'rx-buffer-too-small': [
    '19:28: limits.rxBufferSize must be an integer from 256 to 65536 (got 100)',
  ],
  'stack-does-not-fit-target': [
    '6:3: target "x86_64-linux-musl" does not support stack "lwip-raw" (supported: posix, lwip-socket)',
  ],
  'syntax-error': ["21:2: ',' expected."],
  'tls-options-missing': ['3:28: tls options (caFile) are required when tls or dtls is on'],
  'tls-without-tcp': ['11:5: tls needs tcp: true'],
  'unknown-os': ["7:3: Type '\"linux\"' is not assignable to type 'BoardOs'."],
  'unknown-stack': ["6:3: Type '\"zephyr\"' is not assignable to type 'NetworkStack'."],
  'unknown-target': [
    "5:3: unknown target 'esp32-xtensa'; expected one of: aarch64-linux-musl, arm-linux-musleabihf, cortex-m3, cortex-m33, cortex-m4, mps2-an385, mps2-an386, mps2-an505, riscv64-linux-musl, x86_64-linux-musl",
  ],
  'verify-unknown-policy': [
    "18:28: Type '\"none\"' is not assignable to type 'TlsVerifyPolicy | undefined'.",
  ],
  'wrong-type-nested': ["16:5: Type 'string' is not assignable to type 'boolean'."],
  'mcu-tls-without-entropy': [
    "11:5: TLS on an MCU needs an entropy source: entropy: { hook: 'your_rng_fn' } (or 'TEST-ONLY-NOT-RANDOM' for emulators and test benches)",
  ],
  'entropy-hook-not-identifier': ["19:14: entropy.hook must be a C identifier (got 'trng-read')"],
  'spread-const-typo': [
    "3:61: limits.conectTimeoutMs is not a known property; did you mean 'connectTimeoutMs'?",
  ],
  'verify-as-any': [
    "19:28: tls.verify must be 'required' | 'none-INSECURE-accepts-any-server', not 'none'",
  ],
  'entropy-as-any': ["21:3: entropy must be { hook } | 'TEST-ONLY-NOT-RANDOM', not 'random'"],
  'ts-ignore-wrong-type': ["10:5: features.tcp must be boolean, not 'yes'"],
  'plain-object-export': [
    "4:16: the default export must be defineBoard({ ... }) imported from 'qhal-gen' (found a plain object)",
  ],
  'default-export-function': [
    "3:1: the default export must be defineBoard({ ... }) imported from 'qhal-gen' (found a function)",
  ],
  'value-from-call': [
    '4:9: a function call is not allowed in a board file: it is read, not run (allowed: literals, in-file constants, spreads, arithmetic and template strings)',
  ],
  'let-declaration': [
    "3:1: board files may declare only 'const' values (found 'let')",
    "4:1: board files hold only imports from 'qhal-gen', consts, types and the default export (found expression statement)",
  ],
  'psk-hook-c-keyword': ["18:35: tls.psk.hook: 'int' is a C keyword, not a name"],
  'client-key-mismatch': [
    '18:58: tls.clientKeyFile: other-client.key is not the private key of the client certificate (their public keys differ)',
  ],
  'ca-ed25519': [
    '18:10: tls.caFile: ed25519-ca.pem: the generated mbedtls cannot verify with CN=qhal Ed25519 test CA: ed25519 keys are not supported by mbedtls 2.28; CN=qhal Ed25519 test CA: signature algorithm 1.3.101.112 is not supported',
  ],
  'ca-bundle-partial': [
    '18:10: tls.caFile: partial-bundle.pem has 2 BEGIN CERTIFICATE lines but 1 complete certificates',
  ],
};
