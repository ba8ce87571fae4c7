/** Static archives: made with `zig ar`, read back in TypeScript (System V / GNU format). */
import fs from 'node:fs';
import { ToolchainError } from './errors.js';
import { runZig } from './zig.js';

export interface ArchiveMember {
  name: string;
  data: Uint8Array;
}

/** `zig ar rcs out objects...` (out is replaced, not appended to). Objects are added in the given order. */
export async function createArchive(out: string, objects: readonly string[]): Promise<void> {
  fs.rmSync(out, { force: true });
  // Batch to stay well under the argument limit.
  for (let i = 0; i < objects.length; i += 200) {
    const batch = objects.slice(i, i + 200);
    const r = await runZig(['ar', i + 200 >= objects.length ? 'rcsD' : 'rcD', out, ...batch]);
    if (r.code !== 0) throw new ToolchainError(`zig ar ${out} failed:\n${r.stderr.trim()}`);
  }
  if (objects.length === 0) {
    fs.writeFileSync(out, '!<arch>\n');
  }
}

/** Members of an `ar` archive, skipping the symbol table and resolving GNU long names. */
export function readArchive(bytes: Uint8Array): ArchiveMember[] {
  const magic = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (magic !== '!<arch>\n') throw new ToolchainError('not an ar archive');
  const members: ArchiveMember[] = [];
  let longNames = '';
  let p = 8;
  while (p + 60 <= bytes.length) {
    const hdr = Buffer.from(bytes.subarray(p, p + 60)).toString('latin1');
    if (hdr.slice(58, 60) !== '`\n')
      throw new ToolchainError(`bad ar member header at offset ${p}`);
    let name = hdr.slice(0, 16).trimEnd();
    const size = parseInt(hdr.slice(48, 58).trim(), 10);
    let dataStart = p + 60;
    let dataLen = size;
    if (name === '/' || name === '/SYM64/' || name === '__.SYMDEF' || name === '__.SYMDEF SORTED') {
      name = '';
    } else if (name === '//') {
      longNames = Buffer.from(bytes.subarray(dataStart, dataStart + size)).toString('latin1');
      name = '';
    } else if (/^\/\d+$/.test(name)) {
      const off = parseInt(name.slice(1), 10);
      const end = longNames.indexOf('\n', off);
      name = longNames.slice(off, end < 0 ? undefined : end).replace(/\/$/, '');
    } else if (name.startsWith('#1/')) {
      // BSD long name: stored at the start of the data.
      const n = parseInt(name.slice(3), 10);
      name = Buffer.from(bytes.subarray(dataStart, dataStart + n))
        .toString('latin1')
        .replace(/\0+$/, '');
      dataStart += n;
      dataLen -= n;
    } else {
      name = name.replace(/\/$/, '');
    }
    if (name !== '') members.push({ name, data: bytes.subarray(dataStart, dataStart + dataLen) });
    p = p + 60 + size + (size % 2);
  }
  return members;
}

export function readArchiveFile(file: string): ArchiveMember[] {
  return readArchive(new Uint8Array(fs.readFileSync(file)));
}
