/** `qhal-gen doctor`: is everything the toolchain uses present, and how to get what is not. */
import { runProcess } from './proc.js';
import { cachedSourceStatus, SOURCE_NAMES, SOURCE_SPECS } from './sources.js';
import { picolibcRoot } from './targets.js';
import { zigPath, zigVersion } from './zig.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** Version or location when present. */
  detail: string;
  /** The exact command that installs it, when missing. */
  fix?: string;
}

const SYSTEM_DEPS = 'bash ci/install-system-deps.sh';

async function firstLine(cmd: string, args: string[]): Promise<string | null> {
  try {
    const r = await runProcess(cmd, args);
    if (r.code !== 0) return null;
    return (r.stdout.split('\n')[0] ?? '').trim();
  } catch {
    return null;
  }
}

export async function runDoctorChecks(
  env: NodeJS.ProcessEnv = process.env,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  try {
    const where = zigPath();
    checks.push({ name: 'zig', ok: true, detail: `${await zigVersion()} (${where})` });
  } catch (e) {
    checks.push({ name: 'zig', ok: false, detail: (e as Error).message, fix: 'npm install' });
  }
  for (const q of ['qemu-aarch64', 'qemu-arm', 'qemu-riscv64', 'qemu-system-arm']) {
    const line = await firstLine(q, ['--version']);
    const version = line ? (/version\s+(\S+)/.exec(line)?.[1] ?? line) : null;
    checks.push(
      version
        ? { name: q, ok: true, detail: version }
        : { name: q, ok: false, detail: 'not found', fix: SYSTEM_DEPS },
    );
  }
  const pico = await firstLine('dpkg-query', ['-W', '-f=${Version}', 'picolibc-arm-none-eabi']);
  const root = await picolibcRoot();
  checks.push(
    pico && root
      ? { name: 'picolibc-arm-none-eabi', ok: true, detail: `${pico} (${root})` }
      : { name: 'picolibc-arm-none-eabi', ok: false, detail: 'not installed', fix: SYSTEM_DEPS },
  );
  const dpkgSource = await firstLine('dpkg-source', ['--version']);
  checks.push(
    dpkgSource
      ? {
          name: 'dpkg-source',
          ok: true,
          detail: dpkgSource.replace(/^Debian dpkg-source version /, '').replace(/\.$/, ''),
        }
      : {
          name: 'dpkg-source',
          ok: false,
          detail: 'not found (needed by fetch-sources)',
          fix: SYSTEM_DEPS,
        },
  );
  for (const name of SOURCE_NAMES) {
    const s = cachedSourceStatus(name, env);
    checks.push(
      s.valid
        ? { name: `${name} source`, ok: true, detail: `${s.version ?? '?'} (${s.dir})` }
        : {
            name: `${name} source`,
            ok: false,
            detail: `${SOURCE_SPECS[name].version} not in the cache (${s.dir})`,
            fix: 'qhal-gen fetch-sources',
          },
    );
  }
  return checks;
}

export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const w = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map(
    (c) =>
      `${c.ok ? 'ok     ' : 'MISSING'}  ${c.name.padEnd(w)}  ${c.detail}${c.fix ? `\n         ${' '.repeat(w)}  fix: ${c.fix}` : ''}`,
  );
  const missing = checks.filter((c) => !c.ok);
  lines.push('', missing.length === 0 ? 'everything is present' : `${missing.length} missing`);
  return lines.join('\n');
}
