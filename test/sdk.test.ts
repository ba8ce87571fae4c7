/**
 * The real QuecThing core as the reference (issue 10): the public SDK's own kernel and MQTT
 * client, built with the generated POSIX HAL against the SDK's headers (`--sdk-dir`), talk
 * MQTT to the test broker over TCP and TLS; the broker is restarted 3 × maxSockets times and
 * the client must come back after each, with exactly one HAL slot in use while it is up and
 * none at the end. A HAL that leaks a slot per disconnect fails at restart maxSockets.
 *
 * The SDK has no licence, so it is not redistributed and CI has none: the test runs when
 * QHAL_SDK_DIR names an SDK tree and is skipped otherwise. What the SDK's kernel needs from
 * its platform beyond sockets (time, mutexes, memory, log output) are our own stand-ins in
 * test/fixtures/sdk-linux/, with the device program that drives the SDK's MQTT API.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { test } from 'node:test';
import { startMqtt, type MqttBroker } from '../toolkit/broker/mqtt.js';
import { createPki } from '../toolkit/broker/pki.js';
import { generateBoard } from '../toolkit/generate/index.js';
import { loadBoard, loadHal } from '../toolkit/load/index.js';
import { PACKAGE_ROOT } from '../toolkit/load/toolkit-paths.js';
import { boardForBroker } from '../toolkit/run/index.js';
import { zigCc } from '../toolkit/run/suite-build.js';
import { buildBoard } from '../toolkit/toolchain/build.js';
import { getTarget, targetCompileFlags } from '../toolkit/toolchain/targets.js';

const FIXTURE = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'sdk-linux');
const HOST = '127.0.0.1';
/** A name the broker's certificate holds (*.qhal.test), given to the device's resolver. */
const TLS_NAME = 'mqtt.qhal.test';
/** The SDK's kernel files the MQTT client needs (found by linking), and its MQTT packet code. */
const KERNEL = [
  'Quos_kernel.c',
  'quos_log.c',
  'quos_signal.c',
  'quos_socket.c',
  'quos_swTimer.c',
  'quos_sysTick.c',
  'quos_twll.c',
  'quos_SupportTool.c',
  'quos_mqtt.c',
];
const MQTT = [
  'MQTTConnectClient.c',
  'MQTTDeserializePublish.c',
  'MQTTPacket.c',
  'MQTTSerializePublish.c',
  'MQTTSubscribeClient.c',
  'MQTTUnsubscribeClient.c',
];
const OURS = ['platform.c', 'sdk-mqtt.c'];
const RUN_LIMIT_MS = 150_000;

interface DeviceRun {
  lines: string[];
  stderr: string;
  code: number | null;
  restarts: number;
}

/** Runs the device; each time it reports UP (below the last), the broker is restarted. */
async function runDevice(
  bin: string,
  hostsFile: string,
  mode: 'tcp' | 'tls',
  host: string,
  broker: { current: MqttBroker; restart: () => Promise<void> },
  ups: number,
): Promise<DeviceRun> {
  const port = mode === 'tls' ? broker.current.tls : broker.current.tcp;
  // The SDK's URL parser wants a dotted host name and TLS a name in the certificate, so the
  // device runs in a mount namespace of its own whose /etc/hosts names TLS_NAME (the host's
  // network, loopback only). unshare and sh exec the device: the child's PID is the device's.
  const child = spawn(
    'unshare',
    [
      '--user',
      '--map-root-user',
      '--mount',
      '--',
      'sh',
      '-c',
      'mount --bind "$0" /etc/hosts && exec "$@"',
      hostsFile,
      bin,
      mode,
      host,
      String(port),
      String(ups),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  const killer = setTimeout(() => {
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  }, RUN_LIMIT_MS);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 64 << 10) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const lines: string[] = [];
  let restarts = 0;
  for await (const line of readline.createInterface({ input: child.stdout })) {
    lines.push(line);
    const up = /^UP (\d+) /.exec(line);
    if (up && Number(up[1]) < ups) {
      await broker.restart();
      restarts += 1;
    }
  }
  const code = await exited;
  clearTimeout(killer);
  return { lines, stderr, code, restarts };
}

test('the SDK kernel and MQTT client over the generated POSIX HAL: TCP and TLS, a reconnect after each of 3 × maxSockets broker restarts, 0 slots in use at the end', async (t) => {
  const sdkDir = process.env.QHAL_SDK_DIR;
  if (sdkDir === undefined || sdkDir === '') {
    t.skip(
      'no QuecThing SDK tree: set QHAL_SDK_DIR to a checkout of github.com/QuecPython/quecsdk ' +
        '(its kernel/, driverLayer/ and thirdLib/mqtt/); the SDK has no licence, so none is shipped',
    );
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-sdk-'));
  let broker: MqttBroker | undefined;
  try {
    const pki = await createPki(path.join(work, 'pki'));
    const board = boardForBroker(await loadBoard(path.join(FIXTURE, 'board.ts')), pki);
    const { hal, source } = await loadHal();
    const generated = generateBoard(board, hal, source);
    const build = await buildBoard({
      board,
      generated: generated.files,
      outDir: path.join(work, 'hal'),
      sdkDir,
      sdkIncludeDirs: [FIXTURE],
      testHooks: true,
    });
    assert.ok(build.sdk, 'the build says it used the SDK tree');
    const includes = build.sdk.includeFlags;
    const target = await targetCompileFlags(getTarget(board.target));
    // Ours are held to the project's warnings; the SDK's own files are compiled as they are.
    const objects: string[] = [];
    for (const f of OURS) {
      const object = path.join(work, f.replace(/\.c$/, '.o'));
      await zigCc(
        ['cc', ...target, '-std=c99', '-Wall', '-Wextra', '-Werror', '-O1', ...includes].concat([
          '-c',
          path.join(FIXTURE, f),
          '-o',
          object,
        ]),
        f,
      );
      objects.push(object);
    }
    const sdkSources = [
      ...KERNEL.map((f) => path.join(sdkDir, 'kernel', f)),
      ...MQTT.map((f) => path.join(sdkDir, 'thirdLib', 'mqtt', f)),
    ];
    const bin = path.join(work, 'sdk-mqtt');
    await zigCc(
      ['cc', ...target, '-std=gnu99', '-O1', '-w', ...includes, ...sdkSources, ...objects]
        .concat([build.hal.archive, ...build.libraries.map((l) => l.archive)])
        .concat(['-static', '-o', bin]),
      "the SDK's kernel and MQTT client with the HAL",
    );

    const hostsFile = path.join(work, 'hosts');
    fs.writeFileSync(hostsFile, `127.0.0.1 localhost ${TLS_NAME}\n`);
    const cert = fs.readFileSync(pki.serverCert);
    const key = fs.readFileSync(pki.serverKey);
    broker = await startMqtt(HOST, cert, key);
    const ports = { tcp: broker.tcp, tls: broker.tls };
    const state = {
      current: broker,
      restart: async () => {
        await state.current.close();
        // Away long enough that the device's next connects are refused, then back on the
        // same ports.
        await new Promise((r) => setTimeout(r, 250));
        state.current = await startMqtt(HOST, cert, key, ports);
        broker = state.current;
      },
    };
    const restarts = 3 * board.limits.maxSockets;
    for (const [mode, host] of [
      ['tcp', HOST],
      ['tls', TLS_NAME],
    ] as const) {
      const r = await runDevice(bin, hostsFile, mode, host, state, restarts + 1);
      const why = `${mode}:\n${r.lines.join('\n')}\n--- stderr\n${r.stderr.slice(-4000)}`;
      assert.equal(r.code, 0, why);
      assert.equal(r.restarts, restarts, why);
      const upLines = r.lines.filter((l) => l.startsWith('UP '));
      assert.equal(upLines.length, restarts + 1, why);
      // While connected the device holds exactly its one socket: nothing left from before.
      for (const l of upLines) assert.match(l, / slots 1$/, why);
      const done = r.lines.find((l) => l.startsWith('DONE '));
      assert.ok(done, why);
      assert.match(done, new RegExp(`^DONE ups ${restarts + 1} attempts \\d+ slots 0 `), why);
      t.diagnostic(`${mode}: ${restarts} broker restarts, ${restarts} reconnects; ${done}`);
    }
  } finally {
    await broker?.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
