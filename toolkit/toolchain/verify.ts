/** What an archive's objects were compiled for: ELF machine, ARM attributes, Thumb functions. */
import { readArchiveFile } from './archive.js';
import { armAttributes, elfSymbols, isElf, parseElf, STT_FUNC, type ArmAttributes } from './elf.js';

export interface ObjectArch {
  member: string;
  machine: number;
  class: 32 | 64;
  flags: number;
  arm: ArmAttributes | null;
  /** Defined function symbols with / without the Thumb bit (bit 0 of st_value, ARM only). */
  thumbFunctions: number;
  armFunctions: number;
}

export function archiveObjects(file: string): ObjectArch[] {
  return readArchiveFile(file)
    .filter((m) => isElf(m.data))
    .map((m) => {
      const elf = parseElf(m.data);
      let thumb = 0;
      let arm = 0;
      if (elf.machine === 40) {
        for (const s of elfSymbols(elf)) {
          if (s.type !== STT_FUNC || s.shndx === 0) continue;
          if (s.value & 1) thumb++;
          else arm++;
        }
      }
      return {
        member: m.name,
        machine: elf.machine,
        class: elf.class,
        flags: elf.flags,
        arm: elf.machine === 40 ? armAttributes(elf) : null,
        thumbFunctions: thumb,
        armFunctions: arm,
      };
    });
}

/** Members whose ELF machine is not `machine` (empty = all good). */
export function wrongMachine(file: string, machine: number): string[] {
  return archiveObjects(file)
    .filter((o) => o.machine !== machine)
    .map((o) => `${o.member}: e_machine ${o.machine}`);
}
