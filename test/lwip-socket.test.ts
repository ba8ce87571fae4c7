/**
 * The lwip-socket backend, for real: the example board linux-x86_64-lwip is generated and
 * built (HAL + lwIP's unix port with tapif), linked with examples/apps/lwip-smoke/main.c, and
 * run inside a network namespace this test creates: a TAP device tap0 with the host side at
 * 192.168.77.1/24 and fd00:77::1/64, lwIP at 192.168.77.2 and fd00:77::2, and the echo servers of
 * examples/apps/lwip-smoke/echo-servers.mjs on the host side. Everything the app checks
 * (async connect, echo, queued writes, peer close, refused connect, UDP, broadcast, DNS of a
 * literal, TCP server hand-off, TLS with a verified server / untrusted CA / wrong name, DTLS
 * with a verified server (openssl s_server), IPv6 (DNS literal, TCP echo, UDP echo),
 * allocations) must PASS. The board is the example with its CA swapped for a test CA made
 * here with openssl (the example's test CA has no key to sign a server with).
 *
 * Needs root (network namespaces and TAP devices) and openssl; skips with the reason
 * otherwise. The namespace and every process started here are removed in `finally`, by name
 * and by PID.
 *
 * Also: the FreeRTOS example board (freertos-lwip-cortex-m4) must fail `build` with a message
 * that names --freertos-dir and what the directory must hold.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateBoard } from '../toolkit/generate/index.js';
import { loadBoard, loadHal } from '../toolkit/load/index.js';
import { ToolchainError } from '../toolkit/toolchain/errors.js';
import { buildBoard } from '../toolkit/toolchain/build.js';
import { linkProgram } from '../toolkit/toolchain/link.js';
import { lwipFlags } from '../toolkit/toolchain/lwip-config.js';
import { toolkitPaths } from '../toolkit/toolchain/paths.js';
import { getTarget } from '../toolkit/toolchain/targets.js';
import { runCli } from './helpers/cli.js';
import { boardVariant } from './helpers/boards.js';

// dist/test/lwip-socket.test.js → repo root is two up.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const APP = path.join(ROOT, 'examples', 'apps', 'lwip-smoke');

const NS = `qhal-lwip-${process.pid}`;
const HOST_IP = '192.168.77.1';
const LWIP_IP = '192.168.77.2';
const HOST_IP6 = 'fd00:77::1';
const LWIP_IP6 = 'fd00:77::2';
const PORTS = {
  tcp: 7001,
  udp: 7002,
  closed: 7003,
  server: 7004,
  tls: 7010,
  tlsrogue: 7011,
  tlsname: 7012,
  dtls: 7020,
};
const FREERTOS_BOARD = path.join(ROOT, 'examples', 'boards', 'freertos-lwip-cortex-m4.ts');

/** Why this machine cannot run the test, or null. */
function skipReason(): string | null {
  if (process.platform !== 'linux') return 'needs Linux (network namespaces, TAP)';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return 'needs root to create a network namespace and a TAP device';
  }
  const ip = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10000 });
  if (ip.error || ip.status !== 0) {
    return `no network namespace support: 'ip netns list' failed (${ip.error?.message ?? ip.stderr.trim()}); install iproute2`;
  }
  if (!fs.existsSync('/dev/net/tun')) return 'no /dev/net/tun (TUN/TAP driver)';
  if (!fs.existsSync('/proc/net/if_inet6')) return 'no IPv6 in this kernel (the board has IPv6 on)';
  const ssl = spawnSync('openssl', ['version'], { encoding: 'utf8', timeout: 10000 });
  if (ssl.error || ssl.status !== 0) return 'no openssl to make the TLS test certificates';
  return null;
}

/** A test PKI: ca, server (for HOST_IP), rogue (same name, another CA), wrong (other name). */
function makePki(dir: string): void {
  const ossl = (args: string[]) => sh(['openssl', ...args], 30000);
  const key = (name: string) =>
    ossl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-out',
      path.join(dir, `${name}.key`),
    ]);
  const ca = (name: string, cn: string) => {
    key(name);
    ossl([
      'req',
      '-x509',
      '-new',
      '-key',
      path.join(dir, `${name}.key`),
      '-out',
      path.join(dir, `${name}.pem`),
      '-days',
      '30',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  };
  const leaf = (name: string, caName: string, cn: string) => {
    key(name);
    ossl([
      'req',
      '-new',
      '-key',
      path.join(dir, `${name}.key`),
      '-out',
      path.join(dir, `${name}.csr`),
      '-subj',
      `/CN=${cn}`,
    ]);
    fs.writeFileSync(
      path.join(dir, `${name}.ext`),
      `subjectAltName=DNS:${cn}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    ossl([
      'x509',
      '-req',
      '-in',
      path.join(dir, `${name}.csr`),
      '-CA',
      path.join(dir, `${caName}.pem`),
      '-CAkey',
      path.join(dir, `${caName}.key`),
      '-CAcreateserial',
      '-out',
      path.join(dir, `${name}.pem`),
      '-days',
      '30',
      '-extfile',
      path.join(dir, `${name}.ext`),
    ]);
  };
  ca('ca', 'qhal-gen lwip-smoke test CA');
  ca('rogueca', 'some other CA');
  leaf('server', 'ca', HOST_IP);
  leaf('rogue', 'rogueca', HOST_IP);
  leaf('wrong', 'ca', 'wrong.example');
}

function sh(args: string[], timeout = 10000): void {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout });
  if (r.error || r.status !== 0) {
    throw new Error(`${args.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`);
  }
}

function inNs(args: string[], timeout?: number): void {
  sh(['ip', 'netns', 'exec', NS, ...args], timeout);
}

/** Resolves with the child's stdout once `re` matches it; rejects on exit or timeout. */
function waitForLine(child: ChildProcess, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${re}: ${out}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (re.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${re}: ${out}`));
    });
  });
}

/** Runs the child to its end (killed after timeoutMs) and returns its exit code and output. */
function runToEnd(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      out += `\n(killed after ${timeoutMs} ms)\n`;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

/** Kills a process this test started, by PID (no-op when it is gone). */
function killPid(pid: number | undefined): void {
  if (pid === undefined || !(pid > 0)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function stop(child: ChildProcess | undefined): void {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Generates and builds the board, links lwip-smoke with it; returns the program. */
async function buildSmoke(boardFile: string, dir: string): Promise<string> {
  const board = await loadBoard(boardFile);
  const { hal, source } = await loadHal();
  const generated = generateBoard(board, hal, source);
  const out = path.join(dir, 'out');
  const summary = await buildBoard({ board, generated: generated.files, outDir: out, parallel: 2 });
  const lwip = summary.libraries.find((l) => l.name === 'lwip');
  assert.ok(lwip, 'the build produced liblwip.a');
  const target = getTarget(board.target);
  return linkProgram({
    target,
    sources: [path.join(APP, 'main.c')],
    cflags: [
      '-Wall',
      '-Wextra',
      '-Werror',
      '-I',
      out,
      '-I',
      toolkitPaths.sdkShim,
      ...lwipFlags(lwip.source.root, board, target, out),
    ],
    inputs: [
      summary.hal.archive,
      ...summary.libraries.filter((l) => l.name === 'mbedtls').map((l) => l.archive),
      lwip.archive,
    ],
    out: path.join(dir, 'lwip-smoke'),
  });
}

const reason = skipReason();

test(
  'lwip-socket HAL over lwIP (unix port, tapif) in a network namespace: smoke app passes (async and sync connect)',
  { skip: reason ?? false, timeout: 400_000 },
  async (t) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-lwip-socket-'));
    const variantDirs: string[] = [];
    let echo: ChildProcess | undefined;
    let app: ChildProcess | undefined;
    let nsMade = false;
    let dtlsPid: number | undefined;
    try {
      const pki = path.join(tmp, 'pki');
      fs.mkdirSync(pki);
      makePki(pki);
      // The example board as shipped with the test CA in place of the example one (whose key
      // is not at hand to sign a server with), and the same with synchronous connects.
      const ca: [string, string] = ['certs/example-test-ca.pem', path.join(pki, 'ca.pem')];
      const boards: [string, string][] = [
        ['async', boardVariant('linux-x86_64-lwip', [ca])],
        ['sync', boardVariant('linux-x86_64-lwip', [ca, ["connect: 'async'", "connect: 'sync'"]])],
      ];
      variantDirs.push(...boards.map(([, f]) => path.dirname(f)));
      const example = await loadBoard(boards[0]![1]);
      assert.ok(
        example.features.tls && example.features.dtls && example.features.ipv6,
        'the example has TLS, DTLS and IPv6 on',
      );
      const programs: [string, string][] = [];
      for (const [label, file] of boards) {
        const dir = path.join(tmp, label);
        fs.mkdirSync(dir);
        programs.push([label, await buildSmoke(file, dir)]);
      }

      sh(['ip', 'netns', 'add', NS]);
      nsMade = true;
      inNs(['ip', 'link', 'set', 'lo', 'up']);
      inNs(['ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap']);
      inNs(['ip', 'addr', 'add', `${HOST_IP}/24`, 'dev', 'tap0']);
      inNs(['ip', '-6', 'addr', 'add', `${HOST_IP6}/64`, 'dev', 'tap0', 'nodad']);
      inNs(['ip', 'link', 'set', 'tap0', 'up']);

      for (const [label, program] of programs) {
        // Fresh servers for each run (openssl's DTLS server serves one client at a time).
        echo = spawn(
          'ip',
          [
            'netns',
            'exec',
            NS,
            process.execPath,
            path.join(APP, 'echo-servers.mjs'),
            '--tcp',
            String(PORTS.tcp),
            '--udp',
            String(PORTS.udp),
            '--pki',
            pki,
            '--tls',
            String(PORTS.tls),
            '--tlsrogue',
            String(PORTS.tlsrogue),
            '--tlsname',
            String(PORTS.tlsname),
            '--dtls',
            String(PORTS.dtls),
          ],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        );
        const ready = await waitForLine(echo, /^READY .*\n/m, 15000);
        // echo-servers.mjs started openssl's DTLS server; its PID is ours to stop too.
        dtlsPid = Number(/dtlspid=(\d+)/.exec(ready)?.[1] ?? 0);

        app = spawn(
          'ip',
          [
            'netns',
            'exec',
            NS,
            program,
            `ip=${LWIP_IP}`,
            'mask=255.255.255.0',
            `peer=${HOST_IP}`,
            `tcp=${PORTS.tcp}`,
            `udp=${PORTS.udp}`,
            `closed=${PORTS.closed}`,
            `server=${PORTS.server}`,
            `tls=${PORTS.tls}`,
            `tlsrogue=${PORTS.tlsrogue}`,
            `tlsname=${PORTS.tlsname}`,
            `dtls=${PORTS.dtls}`,
            `ip6=${LWIP_IP6}`,
            `peer6=${HOST_IP6}`,
          ],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, PRECONFIGURED_TAPIF: 'tap0' },
          },
        );
        const r = await runToEnd(app, 120_000);
        const lines = r.out.trimEnd().split('\n');
        const fails = lines.filter((l) => l.startsWith('FAIL'));
        const last = lines[lines.length - 1] ?? '';
        assert.deepEqual(fails, [], `${label}:\n${r.out}`);
        assert.match(last, /^\d+ passed, 0 failed$/, `${label}:\n${r.out}`);
        assert.ok(
          Number(last.split(' ')[0]) >= 45,
          `${label}: fewer checks than expected:\n${r.out}`,
        );
        assert.equal(r.code, 0, `${label}:\n${r.out}`);
        t.diagnostic(`lwip-smoke (${label} connect): ${last}`);
        stop(echo);
        killPid(dtlsPid);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      stop(app);
      stop(echo);
      killPid(dtlsPid);
      if (nsMade) spawnSync('ip', ['netns', 'del', NS], { timeout: 10000 });
      fs.rmSync(tmp, { recursive: true, force: true });
      for (const d of variantDirs) fs.rmSync(d, { recursive: true, force: true });
    }
  },
);

test('freertos-lwip-cortex-m4: build without --freertos-dir or QHAL_FREERTOS_DIR says what is missing (exit 1)', async () => {
  const board = await loadBoard(FREERTOS_BOARD);
  // CI exports QHAL_FREERTOS_DIR for the FreeRTOS boards; this build must not see it.
  const env = { ...process.env };
  delete env.QHAL_FREERTOS_DIR;
  const { hal, source } = await loadHal();
  const generated = generateBoard(board, hal, source);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-freertos-'));
  try {
    await assert.rejects(
      buildBoard({ board, generated: generated.files, outDir, env }),
      (e: unknown) => {
        assert.ok(e instanceof ToolchainError);
        assert.equal(e.exitCode, 1);
        assert.match(e.message, /pass --freertos-dir <dir>/);
        assert.match(e.message, /FreeRTOS-Kernel/);
        assert.match(e.message, /include\/FreeRTOS\.h/);
        assert.match(e.message, /portable\/GCC\/ARM_CM4F/);
        return true;
      },
    );
    // A directory that is not a FreeRTOS-Kernel tree: every missing file is named.
    await assert.rejects(
      buildBoard({ board, generated: generated.files, outDir, freertosDir: outDir }),
      (e: unknown) => {
        assert.ok(e instanceof ToolchainError);
        assert.match(
          e.message,
          /is not a FreeRTOS-Kernel tree for cortex-m4: missing include\/FreeRTOS\.h/,
        );
        assert.match(e.message, /portable\/GCC\/ARM_CM4F\/port\.c/);
        return true;
      },
    );
    // Nothing was written before the check.
    assert.deepEqual(fs.readdirSync(outDir), []);

    // The CLI: exit 1, the message on stderr.
    const saved = process.env.QHAL_FREERTOS_DIR;
    delete process.env.QHAL_FREERTOS_DIR;
    let r;
    try {
      r = await runCli(['build', '--board', FREERTOS_BOARD, '--out', outDir]);
    } finally {
      if (saved !== undefined) process.env.QHAL_FREERTOS_DIR = saved;
    }
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--freertos-dir/);
    assert.match(r.stderr, /include\/FreeRTOS\.h and portable\/GCC\/ARM_CM4F/);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});

test('freertos-lwip-cortex-m4: the generated HAL uses FreeRTOS directly for its tasks and locks', async () => {
  const board = await loadBoard(FREERTOS_BOARD);
  const { hal, source } = await loadHal();
  const c = generateBoard(board, hal, source).files.find(
    (f) => f.name === 'qhal_Socket.c',
  )!.content;
  assert.match(c, /#include "FreeRTOS.h"/);
  assert.match(c, /xTaskCreate\(fn, name, words, NULL, \(UBaseType_t\)QHAL_IO_PRIORITY, &task\)/);
  assert.match(c, /xSemaphoreCreateMutex\(\)/);
  assert.doesNotMatch(c, /sys_thread_new\(|sys_mutex_new\(/);
  assert.match(c, /lwip_poll\(/);
});

/** Variants of the example lwip board; each must build warning-free (-Werror) with lwIP. */
const VARIANTS: Record<string, [string | RegExp, string][]> = {
  'everything: DTLS with PSK, IPv6, sync connect, peerSize core': [
    ["verify: 'required',", "verify: 'required',\n    psk: { hook: 'qhal_test_psk' },"],
    ["connect: 'async'", "connect: 'sync'"],
    ['rxPeerSize: false', 'rxPeerSize: true'],
  ],
  'tcp and udp only, no DNS, IPv4 only': [
    ['ipv6: true', 'ipv6: false'],
    ['tls: true', 'tls: false'],
    ['dtls: true', 'dtls: false'],
    [/ {2}tls: \{[^}]*\},\n/, ''],
    ['tcpServer: { maxClients: 4 }', 'tcpServer: false'],
    ['broadcast: true', 'broadcast: false'],
    ['dns: { maxAddresses: 1 }', 'dns: false'],
  ],
  'udp only, IPv4 only': [
    ['ipv6: true', 'ipv6: false'],
    ['tcp: true', 'tcp: false'],
    ['tls: true', 'tls: false'],
    ['dtls: true', 'dtls: false'],
    [/ {2}tls: \{[^}]*\},\n/, ''],
    ['tcpServer: { maxClients: 4 }', 'tcpServer: false'],
    ['dns: { maxAddresses: 1 }', 'dns: false'],
  ],
  'tls only, verification off by the loud option': [
    ['udp: true', 'udp: false'],
    ['dtls: true', 'dtls: false'],
    ['broadcast: true', 'broadcast: false'],
    ["verify: 'required'", "verify: 'none-INSECURE-accepts-any-server'"],
  ],
};

test('lwip-socket template: feature variants build warning-free with lwIP (x86_64)', async () => {
  const { hal, source } = await loadHal();
  for (const [name, edits] of Object.entries(VARIANTS)) {
    const file = boardVariant('linux-x86_64-lwip', edits);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-lwip-variant-'));
    try {
      const board = await loadBoard(file);
      const generated = generateBoard(board, hal, source);
      const s = await buildBoard({ board, generated: generated.files, outDir: out, parallel: 2 });
      assert.ok(fs.statSync(s.hal.archive).size > 0, name);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }
});
