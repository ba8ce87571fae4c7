/**
 * Writes generated files so a failure leaves nothing half-written: everything goes to a
 * temporary folder next to the destination, then each file is renamed into place.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GeneratedFile } from './index.js';

/**
 * Creates `dir` one level at a time: Node's recursive mkdir never returns for some paths
 * (under /proc it retries ENOENT forever), and each level's error is the one to report.
 */
export function makeDirs(dir: string): void {
  if (fs.existsSync(dir)) return;
  makeDirs(path.dirname(dir));
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export function writeFilesAtomically(outDir: string, files: GeneratedFile[]): string[] {
  const dir = path.resolve(outDir);
  const parent = path.dirname(dir);
  makeDirs(parent);
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.qhal-tmp-`));
  try {
    // Names may hold a folder (arch/cc.h): made in the staging area and in the destination.
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(staging, f.name)), { recursive: true });
      fs.writeFileSync(path.join(staging, f.name), f.content);
    }
    makeDirs(dir);
    return files.map((f) => {
      const dest = path.join(dir, f.name);
      makeDirs(path.dirname(dest));
      fs.renameSync(path.join(staging, f.name), dest);
      return dest;
    });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Names of files in outDir whose content differs from what would be generated. */
export function differingFiles(outDir: string, files: GeneratedFile[]): string[] {
  return files
    .filter((f) => {
      try {
        return fs.readFileSync(path.join(outDir, f.name), 'utf8') !== f.content;
      } catch {
        return true;
      }
    })
    .map((f) => f.name);
}
