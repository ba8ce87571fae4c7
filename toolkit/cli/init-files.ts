/**
 * What `qhal-gen init` writes, as text: the board file, package.json, tsconfig.json and the
 * CA placeholder's instructions. Pure functions of the answers, so the same answers always
 * give the same files.
 */
import path from 'node:path';
import type { BoardOs, NetworkStack } from '../describe/board.js';
import { TOOL_VERSION } from '../version.js';

export const FEATURES = [
  'tcp',
  'udp',
  'tls',
  'dtls',
  'tcpServer',
  'broadcast',
  'dns',
  'ipv6',
] as const;
export type Feature = (typeof FEATURES)[number];

export interface InitAnswers {
  name: string;
  target: string;
  stack: NetworkStack;
  os: BoardOs;
  features: Feature[];
  /** The CA bundle copied to certs/ca.pem (required for tls/dtls), or null. */
  ca: string | null;
  /** DTLS pre-shared key hook (a C function of the firmware), or null: certificates. */
  psk: string | null;
  /** MCU with TLS: the board's hardware RNG hook, or 'TEST-ONLY-NOT-RANDOM'. */
  entropy: string | null;
  /** Linux target or MCU: decides the default limits. */
  mcu: boolean;
}

export const CA_FILE = 'certs/ca.pem';

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function boardText(a: InitAnswers): string {
  const on = (f: Feature) => a.features.includes(f);
  const lwip = a.stack !== 'posix';
  const tlsOn = on('tls') || on('dtls');
  const lines = [
    "import { defineBoard } from 'qhal-gen';",
    '',
    '/**',
    ` * ${a.name}: written by \`qhal-gen init\`. Your editor completes and checks every field`,
    ' * (npm install first); `npx qhal-gen generate --board <this file>` writes the HAL.',
    tlsOn
      ? ` * TLS verifies the server against ${CA_FILE}, the CA bundle given to init.`
      : ' * TLS is off until you add your CA bundle: see certs/README.md.',
    ' */',
    'export default defineBoard({',
    `  name: ${q(a.name)},`,
    `  target: ${q(a.target)},`,
    `  stack: ${q(a.stack)},`,
    `  os: ${q(a.os)},`,
    '  features: {',
    `    tcp: ${on('tcp')},`,
    `    udp: ${on('udp')},`,
    `    tls: ${on('tls')},`,
    `    dtls: ${on('dtls')},`,
    `    tcpServer: ${on('tcpServer') ? `{ maxClients: ${a.mcu ? 2 : 4} }` : 'false'},`,
    `    broadcast: ${on('broadcast')},`,
    // lwIP's resolver keeps one address per name.
    `    dns: ${on('dns') ? `{ maxAddresses: ${lwip ? 1 : 3} }` : 'false'},`,
    `    ipv6: ${on('ipv6')},`,
    '  },',
  ];
  if (tlsOn) {
    lines.push('  tls: {', `    caFile: ${q(CA_FILE)},`);
    if (a.psk) lines.push(`    psk: { hook: ${q(a.psk)} },`);
    lines.push("    verify: 'required',", '  },');
  } else {
    lines.push(
      `  // With your CA bundle in ${CA_FILE}: tls: { caFile: '${CA_FILE}', verify: 'required' },`,
      '  // and features.tls: true.',
    );
  }
  const stack = a.mcu ? (a.os === 'baremetal' ? 2048 : 4096) : 65536;
  lines.push(
    '  limits: {',
    `    maxSockets: ${a.mcu ? 8 : 16},`,
    `    rxBufferSize: ${a.mcu ? 1024 : 4096},`,
    `    ioTaskStackSize: ${stack},`,
    `    ioTaskPriority: ${a.os === 'freertos' ? 3 : 0},`,
    '    connectTimeoutMs: 10000,',
    '  },',
    "  connect: 'async',",
    "  core: { version: '2.10', rxPeerSize: false },",
  );
  if (a.entropy) {
    lines.push(
      a.entropy === 'TEST-ONLY-NOT-RANDOM'
        ? "  entropy: 'TEST-ONLY-NOT-RANDOM',"
        : `  entropy: { hook: ${q(a.entropy)} },`,
    );
  }
  lines.push('});', '');
  return lines.join('\n');
}

export function packageJsonText(projectName: string, boardFile: string): string {
  const pkg = {
    name: projectName,
    private: true,
    type: 'module',
    scripts: {
      generate: `qhal-gen generate --board ${boardFile} --out qhal/${path.basename(boardFile, '.ts')}`,
      test: `qhal-gen test --board boards`,
      'ci:check': 'qhal-gen ci --check',
    },
    devDependencies: { 'qhal-gen': `^${TOOL_VERSION}` },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Adds the qhal-gen devDependency to an existing package.json, changing nothing else. */
export function withDevDependency(text: string): string | null {
  const pkg = JSON.parse(text) as { devDependencies?: Record<string, string> };
  if (pkg.devDependencies?.['qhal-gen'] !== undefined) return null;
  pkg.devDependencies = { ...pkg.devDependencies, 'qhal-gen': `^${TOOL_VERSION}` };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export const TSCONFIG_TEXT = `${JSON.stringify(
  {
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      skipLibCheck: true,
      types: [],
    },
    include: ['boards/**/*.ts'],
  },
  null,
  2,
)}\n`;

export function caReadme(tlsOn: boolean): string {
  return [
    '# TLS trust for this board',
    '',
    tlsOn
      ? `\`${CA_FILE}\` is the CA bundle given to \`qhal-gen init --ca\`. The generated HAL embeds it and`
      : `There is no CA here yet, so the board has TLS and DTLS off. qhal-gen never invents one.`,
    tlsOn
      ? 'accepts only servers whose chain ends in one of its certificates and whose name matches.'
      : '',
    '',
    'To use TLS (or to replace the bundle):',
    '',
    "1. Get your cloud's CA bundle (PEM, `-----BEGIN CERTIFICATE-----` blocks) from its",
    '   provider. Only the CA certificates: never a private key.',
    `2. Save it as \`${CA_FILE}\` in this folder (beside the board files).`,
    `3. In the board file set \`features.tls: true\` and \`tls: { caFile: '${CA_FILE}', verify: 'required' }\`.`,
    '4. Run `npx qhal-gen generate --board <board file> --out qhal/<board>` and commit the result.',
    '',
    '`qhal-gen test` does not use this file: it gives the HAL the CA of its own test broker.',
    '',
  ]
    .filter((l, i, all) => !(l === '' && all[i - 1] === ''))
    .join('\n');
}
