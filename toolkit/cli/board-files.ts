/** `--board FILE|FOLDER`: the board files it names (a folder: its `*.ts`, sorted). */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './args.js';

export function boardFiles(command: string, p: string, flag = '--board'): string[] {
  const abs = path.resolve(p);
  if (!fs.existsSync(abs)) throw new UsageError(`${command}: ${flag} ${p} does not exist`);
  if (fs.statSync(abs).isDirectory()) {
    const files = fs
      .readdirSync(abs)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .sort()
      .map((f) => path.join(abs, f));
    if (files.length === 0) throw new UsageError(`${command}: no board files (*.ts) in ${p}`);
    return files;
  }
  return [abs];
}
