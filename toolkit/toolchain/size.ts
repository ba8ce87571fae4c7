/** text/data/bss like `size` (Berkeley format), from the ELF section headers. */
import fs from 'node:fs';
import { readArchive } from './archive.js';
import {
  isElf,
  parseElf,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHT_NOBITS,
  type ElfFile,
} from './elf.js';

export interface SizeInfo {
  text: number;
  data: number;
  bss: number;
  total: number;
}

/** Allocated sections: executable or read-only → text, writable with contents → data, NOBITS → bss. */
export function elfSize(elf: ElfFile): SizeInfo {
  let text = 0;
  let data = 0;
  let bss = 0;
  for (const s of elf.sections) {
    if (!(s.flags & SHF_ALLOC)) continue;
    if (s.type === SHT_NOBITS) bss += s.size;
    else if (s.flags & SHF_EXECINSTR || !(s.flags & SHF_WRITE)) text += s.size;
    else data += s.size;
  }
  return { text, data, bss, total: text + data + bss };
}

/** Sum over an ELF object or every ELF member of an archive. */
export function fileSize(file: string): SizeInfo {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const parts = isElf(bytes)
    ? [bytes]
    : readArchive(bytes)
        .map((m) => m.data)
        .filter(isElf);
  const sum: SizeInfo = { text: 0, data: 0, bss: 0, total: 0 };
  for (const b of parts) {
    const s = elfSize(parseElf(b));
    sum.text += s.text;
    sum.data += s.data;
    sum.bss += s.bss;
    sum.total += s.total;
  }
  return sum;
}

export interface SizeRow extends SizeInfo {
  name: string;
  file: string;
}

export function formatSizeTable(rows: readonly SizeRow[]): string {
  const head = ['', 'text', 'data', 'bss', 'total'];
  const body = rows.map((r) => [
    r.name,
    String(r.text),
    String(r.data),
    String(r.bss),
    String(r.total),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((row) => (row[i] as string).length)),
  );
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n');
}
