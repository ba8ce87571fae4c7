/**
 * The generated C compiles with -std=c99 -Wall -Wextra -Werror against the real mbedtls
 * headers (with the board's generated mbedtls configuration) for every Linux target, for
 * boards that switch features, connect mode and verification in different ways.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { generateBoard } from '../toolkit/generate/index.js';
import { loadBoard, loadHal } from '../toolkit/load/index.js';
import { paths } from '../toolkit/load/toolkit-paths.js';
import {
  generateMbedtlsConfig,
  MBEDTLS_CONFIG_FILE_NAME,
} from '../toolkit/toolchain/mbedtls-config.js';
import { ensureSource } from '../toolkit/toolchain/sources.js';
import { getTarget, targetCompileFlags } from '../toolkit/toolchain/targets.js';
import { runZig } from '../toolkit/toolchain/zig.js';
import { boardVariant } from './helpers/boards.js';

const TARGETS = [
  'x86_64-linux-musl',
  'aarch64-linux-musl',
  'arm-linux-musleabihf',
  'riscv64-linux-musl',
];

const NO_PSK: [string, string] = ["    psk: { hook: 'qhal_test_psk' },\n", ''];

const VARIANTS: Record<string, [string | RegExp, string][]> = {
  'everything, sync connect, peerSize core': [
    ["connect: 'async'", "connect: 'sync'"],
    ['rxPeerSize: false', 'rxPeerSize: true'],
  ],
  'tcp and udp only': [
    ['tls: true', 'tls: false'],
    ['dtls: true', 'dtls: false'],
    ['tcpServer: { maxClients: 4 }', 'tcpServer: false'],
    ['broadcast: true', 'broadcast: false'],
    ['dns: { maxAddresses: 3 }', 'dns: false'],
    ['ipv6: true', 'ipv6: false'],
    NO_PSK,
  ],
  // One socket kind alone: every fragment the other kind pulls in must drop out with it.
  'udp only': [
    ['tcp: true', 'tcp: false'],
    ['tls: true', 'tls: false'],
    ['dtls: true', 'dtls: false'],
    ['tcpServer: { maxClients: 4 }', 'tcpServer: false'],
    NO_PSK,
  ],
  'tls only, verification off by the loud option': [
    ['udp: true', 'udp: false'],
    ['dtls: true', 'dtls: false'],
    ['broadcast: true', 'broadcast: false'],
    NO_PSK,
    ["verify: 'required'", "verify: 'none-INSECURE-accepts-any-server'"],
  ],
  'mutual TLS and DTLS with certificates': [
    NO_PSK,
    [
      "caFile: 'certs/example-test-ca.pem',",
      "caFile: 'certs/example-test-ca.pem',\n    clientCertFile: 'certs/client.pem',\n    clientKeyFile: 'certs/client.key',",
    ],
  ],
};

test('generated C compiles warning-free for feature variants on every Linux target', async () => {
  const mbedtls = await ensureSource('mbedtls');
  const { hal, source } = await loadHal();
  for (const [name, edits] of Object.entries(VARIANTS)) {
    const file = boardVariant('linux-x86_64', edits);
    if (name.startsWith('mutual')) writeClientCert(path.join(path.dirname(file), 'certs'));
    const board = await loadBoard(file);
    const gen = generateBoard(board, hal, source);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-variant-cc-'));
    for (const f of gen.files) fs.writeFileSync(path.join(dir, f.name), f.content);
    for (const id of TARGETS) {
      const target = getTarget(id);
      const cfg = generateMbedtlsConfig({ ...board, target: id }, target);
      fs.writeFileSync(path.join(dir, MBEDTLS_CONFIG_FILE_NAME), cfg.header);
      const r = await runZig([
        'cc',
        ...(await targetCompileFlags(target)),
        '-std=c99',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-Os',
        '-I',
        dir,
        '-I',
        paths.sdkShim,
        '-I',
        path.join(mbedtls, 'include'),
        `-DMBEDTLS_CONFIG_FILE="${MBEDTLS_CONFIG_FILE_NAME}"`,
        '-c',
        path.join(dir, 'qhal_Socket.c'),
        '-o',
        path.join(dir, `${id}.o`),
      ]);
      assert.equal(r.code, 0, `${name} on ${id}:\n${r.stderr}`);
      assert.equal(r.stderr.trim(), '', `${name} on ${id} printed:\n${r.stderr}`);
    }
  }
});

/** A client certificate signed by a throw-away CA: only its parsing matters here. */
function writeClientCert(dir: string): void {
  fs.copyFileSync(
    path.join(paths.root, 'test', 'fixtures', 'client', 'client.pem'),
    path.join(dir, 'client.pem'),
  );
  fs.copyFileSync(
    path.join(paths.root, 'test', 'fixtures', 'client', 'client.key'),
    path.join(dir, 'client.key'),
  );
}
