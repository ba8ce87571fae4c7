/**
 * Wall time of the generator as a user meets it: `qhal-gen generate` in a fresh Node
 * process (cold: nothing cached in memory), one board and then many boards in one run, and
 * `node -e 0` (what any Node process costs) as the reference.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { paths } from '../load/toolkit-paths.js';
import { toolkitPaths } from '../toolchain/paths.js';

const BIN = path.join(toolkitPaths.root, 'bin', 'qhal-gen.js');

/** Runs node with args; resolves with the wall time in ms (rejects on a non-zero exit). */
export function timeNode(args: string[], cwd = toolkitPaths.root): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
  });
}

export function generateArgs(board: string, out: string): string[] {
  return [BIN, 'generate', '--board', board, '--out', out];
}

export function qhalGenArgs(args: string[]): string[] {
  return [BIN, ...args];
}

/** A folder of n copies of the linux-x86_64 example, each with its own name. */
export function manyBoards(dir: string, n: number): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(paths.boards, 'certs'), path.join(dir, 'certs'), { recursive: true });
  const text = fs.readFileSync(path.join(paths.boards, 'linux-x86_64.ts'), 'utf8');
  for (let i = 0; i < n; i++) {
    const name = `bench-${String(i).padStart(3, '0')}`;
    const board = text.replace(/name: '[^']*'/, `name: '${name}'`);
    fs.writeFileSync(path.join(dir, `${name}.ts`), board);
  }
  return dir;
}
