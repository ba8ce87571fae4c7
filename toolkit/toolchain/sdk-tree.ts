/**
 * `--sdk-dir DIR` (or QHAL_SDK_DIR): compile the HAL against a real QuecThing SDK tree's
 * headers instead of templates/common/sdk-shim, with the SDK's socket pair replaced by the
 * generated one. The user's tree is never written to: its driverLayer/ is mirrored by
 * symbolic links in the build folder, without the vendor's qhal_Socket.h/.c, and the mirror
 * stands on the include path where driverLayer/ would. A mirror (rather than only putting the
 * build folder first) is needed because `#include "qhal_Socket.h"` in Qhal_driver.h looks in
 * the including file's own folder before any -I folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ToolchainError } from './errors.js';

/** What identifies an SDK tree (the files the generated header's includes need). */
const SDK_MARKERS = ['kernel/Quos_kernel.h', 'kernel/quos_socket.h', 'driverLayer/Qhal_driver.h'];
/** The SDK build's include folders when its quecsdk.mk cannot be read (GLOBAL_INCS there). */
const DEFAULT_INCLUDES = [
  'driverLayer',
  'thirdLib/mqtt',
  'thirdLib/cJSON',
  'cloud',
  'cloud/common',
  'kernel',
];
const SOCKET_PAIR = /^qhal_socket\.[ch]$/i;

export interface SdkTree {
  root: string;
  /** Where the SDK came from, for messages. */
  from: '--sdk-dir' | 'QHAL_SDK_DIR';
}

/** `--sdk-dir`, else QHAL_SDK_DIR: what `build` and `test` compile against. */
export function sdkDirFlag(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { sdkDir?: string; sdkFrom?: SdkTree['from'] } {
  if (flag !== undefined) return { sdkDir: flag, sdkFrom: '--sdk-dir' };
  const e = env.QHAL_SDK_DIR;
  return e !== undefined && e !== '' ? { sdkDir: e, sdkFrom: 'QHAL_SDK_DIR' } : {};
}

/** Exit code 2: a missing or wrong SDK folder is bad input, and nothing is built. */
export function checkSdkDir(dir: string, from: SdkTree['from']): SdkTree {
  const root = path.resolve(dir);
  const wants = `a QuecThing SDK tree (${SDK_MARKERS.join(', ')})`;
  if (dir.trim() === '' || !fs.existsSync(root) || !fs.statSync(root).isDirectory())
    throw new ToolchainError(`${from} ${root}: no such directory; it must be ${wants}`, 2);
  const missing = SDK_MARKERS.filter((f) => !fs.existsSync(path.join(root, f)));
  if (missing.length > 0)
    throw new ToolchainError(
      `${from} ${root} is not a QuecThing SDK tree: missing ${missing.join(', ')}; it must be ${wants}`,
      2,
    );
  return { root, from };
}

/**
 * Whether the tree's core passes the peer's size to Quos_socketIORx (the two SDK generations
 * differ there), read from its kernel/quos_socket.h; null when the declaration is not found.
 */
export function sdkRxPeerSize(root: string): boolean | null {
  const text = fs.readFileSync(path.join(root, 'kernel', 'quos_socket.h'), 'latin1');
  const m = /\bQuos_socketIORx\s*\(([^)]*)\)/.exec(text.replace(/\/\*[\s\S]*?\*\//g, ' '));
  if (!m) return null;
  return m[1].split(',').length === 6;
}

/**
 * The board's core generation must be the tree's: otherwise the compile fails on a
 * conflicting Quos_socketIORx, which says nothing of the board option that fixes it.
 */
export function checkSdkFits(sdk: SdkTree, rxPeerSize: boolean): void {
  const tree = sdkRxPeerSize(sdk.root);
  if (tree === null || tree === rxPeerSize) return;
  const has = tree ? 'with' : 'without';
  throw new ToolchainError(
    `${sdk.from} ${sdk.root}: its kernel/quos_socket.h declares Quos_socketIORx ${has} the peer's ` +
      `size, but the board says core.rxPeerSize: ${String(rxPeerSize)}; set core.rxPeerSize: ` +
      `${String(tree)} for this SDK`,
    2,
  );
}

/** The SDK's include folders, in the order its own build lists them (quecsdk.mk GLOBAL_INCS). */
export function sdkIncludeDirs(root: string): string[] {
  const mk = path.join(root, 'quecsdk.mk');
  let dirs = DEFAULT_INCLUDES;
  if (fs.existsSync(mk)) {
    const m = /^GLOBAL_INCS\s*\+?=((?:.*\\\n)*.*)$/m.exec(fs.readFileSync(mk, 'latin1'));
    const listed = m ? m[1].split(/[\s\\]+/).filter((d) => d !== '') : [];
    if (listed.length > 0) dirs = listed;
  }
  return dirs.filter((d) => fs.existsSync(path.join(root, d)));
}

/**
 * Mirrors driverLayer/ into `overlayDir` without the vendor's socket pair and returns the -I
 * flags: the build folder (the generated pair) first, then the SDK's folders with the mirror
 * in driverLayer's place, then `extraIncludes` (platform headers the SDK includes but does
 * not ship, such as helios_os.h).
 */
export function sdkIncludeFlags(o: {
  sdk: SdkTree;
  outDir: string;
  overlayDir: string;
  header: string;
  extraIncludes: string[];
}): string[] {
  const driver = path.join(o.sdk.root, 'driverLayer');
  const vendorHeaders = fs
    .readdirSync(driver)
    .filter((f) => SOCKET_PAIR.test(f) && f.endsWith('.h'));
  const other = vendorHeaders.find((f) => f !== o.header);
  if (other !== undefined)
    throw new ToolchainError(
      `${o.sdk.from} ${o.sdk.root}: its driverLayer/ has ${other}, which Qhal_driver.h includes, but ` +
        `the board generates ${o.header}; set the board's sdk.fileNames to the SDK's names`,
      2,
    );
  fs.rmSync(o.overlayDir, { recursive: true, force: true });
  fs.mkdirSync(o.overlayDir, { recursive: true });
  for (const f of fs.readdirSync(driver).sort()) {
    if (SOCKET_PAIR.test(f)) continue;
    fs.symlinkSync(path.join(driver, f), path.join(o.overlayDir, f));
  }
  const dirs = sdkIncludeDirs(o.sdk.root);
  const flags = ['-I', o.outDir, ...(dirs.includes('driverLayer') ? [] : ['-I', o.overlayDir])];
  for (const d of dirs)
    flags.push('-I', d === 'driverLayer' ? o.overlayDir : path.join(o.sdk.root, d));
  for (const d of o.extraIncludes) {
    const dir = path.resolve(d);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new ToolchainError(`--sdk-include ${dir}: no such directory`, 2);
    flags.push('-I', dir);
  }
  return flags;
}
