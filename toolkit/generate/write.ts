/**
 * Writes generated files so a failure leaves nothing half-written: everything goes to a
 * temporary folder next to the destination, then each file is renamed into place.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GeneratedFile } from './index.js';

export function writeFilesAtomically(outDir: string, files: GeneratedFile[]): string[] {
  const dir = path.resolve(outDir);
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.qhal-tmp-`));
  try {
    for (const f of files) fs.writeFileSync(path.join(staging, f.name), f.content);
    fs.mkdirSync(dir, { recursive: true });
    return files.map((f) => {
      const dest = path.join(dir, f.name);
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
