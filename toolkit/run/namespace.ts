/**
 * The private network set-up for a conformance run (Linux user + network + mount + PID
 * namespaces made with `unshare`, no root on the host needed):
 * - `lo` up: 127.0.0.0/8 and ::1 are the broker's;
 * - a veth pair qv0 (10.77.0.1/24) / qv1 (no address), and a default route over qv0, so a
 *   limited broadcast (255.255.255.255) has a route and Linux loops a copy back to local
 *   listeners (the broker's recorder bound to 0.0.0.0);
 * - 10.77.0.2 has a permanent neighbour entry with a MAC nobody owns: SYNs to it leave qv0,
 *   reach qv1, which has no address and drops them — a true black hole (connect time-out),
 *   unlike a blackhole route (immediate error) or an unused local port (RST);
 * - /etc/resolv.conf and /etc/hosts bind-mounted (in the private mount namespace only) to
 *   files naming 127.0.0.1 as the nameserver, where the broker's DNS answers on port 53.
 */
import type { NetworkMode } from '../model/plan.js';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BLACKHOLE = { host: '10.77.0.2', port: 80 };

export const UNSHARE_ARGS = [
  '--user',
  '--map-root-user',
  '--net',
  '--mount',
  '--pid',
  '--fork',
  '--kill-child',
];

let probe: Promise<string | null> | undefined;

/** null when `unshare` namespaces work here, else why not. */
export function namespaceProblem(): Promise<string | null> {
  probe ??= run(
    'unshare',
    [
      ...UNSHARE_ARGS,
      '--',
      'sh',
      '-c',
      'ip link set lo up && ip link add qv0 type veth peer name qv1',
    ],
    {
      timeout: 10_000,
    },
  ).then(
    () => null,
    (err: Error & { stderr?: string }) =>
      (err.stderr?.trim() || err.message).split('\n')[0] ?? 'unshare failed',
  );
  return probe;
}

async function sh(cmd: string, args: string[]): Promise<void> {
  try {
    await run(cmd, args, { timeout: 10_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

/** Runs inside the namespaces: the network and the resolver files described above. */
export async function setupNamespace(tmpDir: string): Promise<void> {
  await sh('ip', ['link', 'set', 'lo', 'up']);
  await sh('ip', ['link', 'add', 'qv0', 'type', 'veth', 'peer', 'name', 'qv1']);
  await sh('ip', ['addr', 'add', '10.77.0.1/24', 'broadcast', '10.77.0.255', 'dev', 'qv0']);
  await sh('ip', ['link', 'set', 'qv1', 'up']);
  await sh('ip', ['link', 'set', 'qv0', 'up']);
  await sh('ip', [
    'neigh',
    'replace',
    BLACKHOLE.host,
    'lladdr',
    '02:00:00:00:77:02',
    'dev',
    'qv0',
    'nud',
    'permanent',
  ]);
  await sh('ip', ['route', 'add', 'default', 'dev', 'qv0']);
  const resolv = path.join(tmpDir, 'resolv.conf');
  const hosts = path.join(tmpDir, 'hosts');
  fs.writeFileSync(resolv, 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n');
  fs.writeFileSync(hosts, '127.0.0.1 localhost\n');
  await sh('mount', ['--bind', resolv, '/etc/resolv.conf']);
  await sh('mount', ['--bind', hosts, '/etc/hosts']);
}

/**
 * What the HAL's network stack is, and so how the run reaches it:
 * - `kernel`: the HAL uses the kernel's sockets; the broker is on 127.0.0.1;
 * - `lwip-tap`: the HAL runs on lwIP inside the suite program, on the TAP device below; the
 *   broker listens on the TAP's host side, the suite's harness reaches it there too;
 * - `qemu-slirp`: the HAL runs in a firmware under qemu-system-arm with QEMU's user-mode
 *   networking: the guest reaches the broker on 127.0.0.1 as 10.0.2.2, and the broker
 *   reaches the guest's servers only through `hostfwd` ports.
 */
export type SuiteNetwork = NetworkMode;

/** The TAP link for `lwip-tap`: the host side, lwIP's side, and a local address that refuses. */
export const LWIP_TAP = {
  dev: 'qtap0',
  host: '10.77.1.1',
  stack: '10.77.1.2',
  mask: '255.255.255.0',
  host6: 'fd00:77::1',
  stack6: 'fd00:77::2',
  /** qv0's address: local to the namespace, nothing listens on it (the broker binds host). */
  refuse: '10.77.0.1',
};

/** QEMU user-mode networking as the guest sees it, and the guest ports the suite binds. */
export const SLIRP = {
  host: '10.0.2.2',
  guest: '10.0.2.15',
  /** Through slirp, a connect to qv0's address is refused by the namespace's kernel. */
  refuse: '10.77.0.1',
  guestTcpPort: 7000,
  guestUdpPort: 7001,
};

/** Runs inside the namespaces after setupNamespace(): the TAP device lwIP's tapif opens. */
export async function setupLwipTap(): Promise<void> {
  const t = LWIP_TAP;
  await sh('ip', ['tuntap', 'add', 'dev', t.dev, 'mode', 'tap']);
  await sh('ip', ['addr', 'add', `${t.host}/24`, 'dev', t.dev]);
  await sh('ip', ['-6', 'addr', 'add', `${t.host6}/64`, 'dev', t.dev, 'nodad']);
  await sh('ip', ['link', 'set', t.dev, 'up']);
  // lwIP's gateway is this namespace: forwarding lets its SYNs reach the black hole on qv0.
  fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1\n');
}
