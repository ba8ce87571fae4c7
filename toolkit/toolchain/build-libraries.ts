/**
 * The third-party libraries of a board's build (FreeRTOS, mbedtls, lwIP), each a cached static
 * library (library.ts). Their configuration headers are the ones `generate` wrote (the plan's
 * config files, passed in as `config`), never produced again here.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BoardPlan } from '../model/plan.js';
import {
  freertosIncludeFlags,
  freertosSources,
  freertosVersion,
  hashLwipFreertosPort,
  type FreertosConfig,
} from './freertos.js';
import { buildLibrary, type LibraryResult } from './library.js';
import { lwipFlags, lwipSources } from './lwip-config.js';
import { MBEDTLS_CONFIG_FILE_NAME } from './mbedtls-config.js';
import type { ProgressSink } from './progress.js';
import type { ResolvedSource } from './sources.js';

export const COMMON_FLAGS = ['-std=c99', '-Os', '-ffunction-sections', '-fdata-sections'];

/** What every library build of one board shares. */
export interface LibraryContext {
  plan: BoardPlan;
  targetFlags: string[];
  zig: string;
  parallel: number;
  onProgress?: ProgressSink;
  verbose?: boolean;
  env: NodeJS.ProcessEnv;
}

export interface BuiltLibrary {
  result: LibraryResult;
  source: Pick<ResolvedSource, 'root' | 'version' | 'origin'>;
}

export interface ConfigText {
  name: string;
  content: string;
}

function common(ctx: LibraryContext) {
  return {
    target: ctx.plan.target,
    zigVersion: ctx.zig,
    parallel: ctx.parallel,
    onProgress: ctx.onProgress,
    showWarnings: ctx.verbose,
    env: ctx.env,
  };
}

export interface FreertosBuild {
  root: string;
  config: FreertosConfig;
  hash: string;
}

/** libfreertos.a, and the include flags for what includes FreeRTOS.h. */
export async function buildFreertos(
  ctx: LibraryContext,
  fr: FreertosBuild,
): Promise<{ lib: BuiltLibrary; flags: string[] }> {
  const { target } = ctx.plan;
  const flags = freertosIncludeFlags(fr.root, target, fr.config.dir);
  const result = await buildLibrary({
    ...common(ctx),
    name: 'freertos',
    archiveName: 'libfreertos.a',
    sources: freertosSources(fr.root, target),
    sourceRoot: fr.root,
    sourceHash: `${fr.hash}:${hashLwipFreertosPort()}`,
    configFiles: [{ name: 'FreeRTOSConfig.h', content: fr.config.content }],
    flags: [...ctx.targetFlags, ...COMMON_FLAGS, '-I', '@CONFIG@', ...flags],
  });
  const version = freertosVersion(fr.root);
  return { lib: { result, source: { root: fr.root, version, origin: 'user' } }, flags };
}

/** libmbedtls.a from the generated qhal_mbedtls_config.h; the flags the HAL needs for it. */
export async function buildMbedtls(
  ctx: LibraryContext,
  mbedtls: ResolvedSource,
  config: ConfigText,
): Promise<{ lib: BuiltLibrary; flags: string[] }> {
  const define = `-DMBEDTLS_CONFIG_FILE="${MBEDTLS_CONFIG_FILE_NAME}"`;
  const libDir = path.join(mbedtls.root, 'library');
  const sources = fs
    .readdirSync(libDir)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => path.join(libDir, f));
  const include = path.join(mbedtls.root, 'include');
  const result = await buildLibrary({
    ...common(ctx),
    name: 'mbedtls',
    archiveName: 'libmbedtls.a',
    sources,
    sourceRoot: mbedtls.root,
    sourceHash: mbedtls.hash,
    configFiles: [config],
    flags: [...ctx.targetFlags, ...COMMON_FLAGS, '-I', '@CONFIG@', '-I', include, define],
  });
  return { lib: { result, source: mbedtls }, flags: ['-I', include, define] };
}

/**
 * liblwip.a from the generated lwipopts.h (and arch/cc.h). lwip-raw with TLS compiles lwIP's
 * altcp_tls_mbedtls.c against the same mbedtls (`mbedtls`: its flags and config).
 */
export async function buildLwip(
  ctx: LibraryContext,
  lwip: ResolvedSource,
  config: ConfigText[],
  extra: {
    mbedtls?: { flags: string[]; config: ConfigText };
    freertos?: FreertosBuild & { flags: string[] };
  },
): Promise<BuiltLibrary> {
  const { board, target } = ctx.plan;
  const fr = extra.freertos;
  const result = await buildLibrary({
    ...common(ctx),
    name: 'lwip',
    archiveName: 'liblwip.a',
    sources: lwipSources(lwip.root, board, target),
    sourceRoot: lwip.root,
    // qhal-gen's FreeRTOS sys_arch is compiled into liblwip.a: its content is part of the key.
    sourceHash: fr ? `${lwip.hash}:${hashLwipFreertosPort()}:${fr.hash}` : lwip.hash,
    configFiles: [
      ...config,
      ...(extra.mbedtls ? [extra.mbedtls.config] : []),
      ...(fr ? [{ name: 'FreeRTOSConfig.h', content: fr.config.content }] : []),
    ],
    flags: [
      ...ctx.targetFlags,
      ...COMMON_FLAGS,
      ...lwipFlags(lwip.root, board, target, '@CONFIG@'),
      ...(extra.mbedtls?.flags ?? []),
      ...(fr?.flags ?? []),
    ],
    // lwIP 2.1.3 takes MBEDTLS_ERR_NET_* from mbedtls/net.h, which is empty with
    // MBEDTLS_DEPRECATED_REMOVED (our config); net_sockets.h has them without MBEDTLS_NET_C.
    ...(extra.mbedtls
      ? {
          sourceFlags: {
            [path.join('src', 'apps', 'altcp_tls', 'altcp_tls_mbedtls.c')]: [
              '-include',
              'mbedtls/net_sockets.h',
            ],
          },
        }
      : {}),
  });
  return { result, source: lwip };
}
