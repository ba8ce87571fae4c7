/** Just enough ELF reading for sizes and architecture checks (no binutils). */

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHT_ARM_ATTRIBUTES = 0x70000003;
export const STT_FUNC = 2;

export const EM_NAMES: Record<number, string> = {
  62: 'x86-64',
  183: 'AArch64',
  40: 'ARM',
  243: 'RISC-V',
};

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  shndx: number;
}

export interface ElfFile {
  class: 32 | 64;
  littleEndian: boolean;
  type: number;
  machine: number;
  flags: number;
  sections: ElfSection[];
  bytes: Uint8Array;
}

export class ElfFormatError extends Error {}

export function isElf(b: Uint8Array): boolean {
  return b.length >= 16 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

export function parseElf(bytes: Uint8Array): ElfFile {
  if (!isElf(bytes)) throw new ElfFormatError('not an ELF file');
  const cls = bytes[4] === 2 ? 64 : bytes[4] === 1 ? 32 : 0;
  if (cls === 0) throw new ElfFormatError('bad ELF class');
  const le = bytes[5] === 1;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const addr = (o: number): number => (cls === 64 ? Number(dv.getBigUint64(o, le)) : u32(o));
  const type = u16(16);
  const machine = u16(18);
  const shoff = cls === 64 ? addr(0x28) : u32(0x20);
  const flags = u32(cls === 64 ? 0x30 : 0x24);
  const shentsize = u16(cls === 64 ? 0x3a : 0x2e);
  const shnum = u16(cls === 64 ? 0x3c : 0x30);
  const shstrndx = u16(cls === 64 ? 0x3e : 0x32);
  const raw: Omit<ElfSection, 'name'>[] = [];
  const nameOff: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    if (o + shentsize > bytes.length) throw new ElfFormatError('section header out of range');
    nameOff.push(u32(o));
    if (cls === 64) {
      raw.push({
        type: u32(o + 4),
        flags: addr(o + 8),
        offset: addr(o + 0x18),
        size: addr(o + 0x20),
        link: u32(o + 0x28),
        entsize: addr(o + 0x38),
      });
    } else {
      raw.push({
        type: u32(o + 4),
        flags: u32(o + 8),
        offset: u32(o + 0x10),
        size: u32(o + 0x14),
        link: u32(o + 0x18),
        entsize: u32(o + 0x24),
      });
    }
  }
  const strtab = raw[shstrndx];
  const cstr = (base: number, off: number): string => {
    let end = base + off;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return Buffer.from(bytes.subarray(base + off, end)).toString('latin1');
  };
  const sections = raw.map((s, i) => ({
    ...s,
    name: strtab ? cstr(strtab.offset, nameOff[i] as number) : '',
  }));
  return { class: cls, littleEndian: le, type, machine, flags, sections, bytes };
}

export function elfSymbols(elf: ElfFile): ElfSymbol[] {
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return [];
  const strs = elf.sections[symtab.link];
  if (!strs) return [];
  const b = elf.bytes;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = elf.littleEndian;
  const entsize = symtab.entsize || (elf.class === 64 ? 24 : 16);
  const out: ElfSymbol[] = [];
  for (let o = symtab.offset; o + entsize <= symtab.offset + symtab.size; o += entsize) {
    let nameIdx: number, value: number, size: number, info: number, shndx: number;
    if (elf.class === 64) {
      nameIdx = dv.getUint32(o, le);
      info = b[o + 4] as number;
      shndx = dv.getUint16(o + 6, le);
      value = Number(dv.getBigUint64(o + 8, le));
      size = Number(dv.getBigUint64(o + 16, le));
    } else {
      nameIdx = dv.getUint32(o, le);
      value = dv.getUint32(o + 4, le);
      size = dv.getUint32(o + 8, le);
      info = b[o + 12] as number;
      shndx = dv.getUint16(o + 14, le);
    }
    let end = strs.offset + nameIdx;
    while (end < b.length && b[end] !== 0) end++;
    const name = Buffer.from(b.subarray(strs.offset + nameIdx, end)).toString('latin1');
    out.push({ name, value, size, type: info & 0xf, bind: info >> 4, shndx });
  }
  return out;
}

export interface ArmAttributes {
  /** Tag_CPU_arch (6): 10 = v7 (v7-M with profile 'M'), 13 = v7E-M, 17 = v8-M.main, ... */
  cpuArch?: number;
  /** Tag_CPU_arch_profile (7): 'A', 'R', 'M' or 'S'. */
  cpuProfile?: string;
  /** Tag_THUMB_ISA_use (9). */
  thumbIsaUse?: number;
  /** Tag_ABI_VFP_args (28): 1 = hard-float ABI. */
  vfpArgs?: number;
  cpuName?: string;
}

/** The "aeabi" file-scope attributes of an ARM object's .ARM.attributes section. */
export function armAttributes(elf: ElfFile): ArmAttributes | null {
  const sec = elf.sections.find((s) => s.type === SHT_ARM_ATTRIBUTES);
  if (!sec) return null;
  const b = elf.bytes.subarray(sec.offset, sec.offset + sec.size);
  if (b[0] !== 0x41) return null; // format-version 'A'
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 1;
  const out: ArmAttributes = {};
  const uleb = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const byte = b[p++] as number;
      v += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80) || p >= b.length) return v;
    }
  };
  const ntbs = (): string => {
    const start = p;
    while (p < b.length && b[p] !== 0) p++;
    return Buffer.from(b.subarray(start, p++)).toString('latin1');
  };
  while (p + 4 <= b.length) {
    const subLen = dv.getUint32(p, elf.littleEndian);
    const subEnd = p + subLen;
    p += 4;
    const vendor = ntbs();
    if (vendor !== 'aeabi') {
      p = subEnd;
      continue;
    }
    while (p < subEnd) {
      const tag = b[p++] as number;
      const len = dv.getUint32(p, elf.littleEndian);
      const end = p - 1 + len;
      p += 4;
      if (tag !== 1) {
        p = end; // section/symbol scoped: skip
        continue;
      }
      while (p < end) {
        const t = uleb();
        if (t === 4 || t === 5 || t === 67 || (t > 32 && t % 2 === 1)) {
          const s = ntbs();
          if (t === 5) out.cpuName = s;
        } else if (t === 32) {
          uleb();
          ntbs();
        } else {
          const v = uleb();
          if (t === 6) out.cpuArch = v;
          else if (t === 7) out.cpuProfile = String.fromCharCode(v);
          else if (t === 9) out.thumbIsaUse = v;
          else if (t === 28) out.vfpArgs = v;
        }
      }
      p = end;
    }
    p = subEnd;
  }
  return out;
}
