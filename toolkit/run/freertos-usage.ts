/**
 * What the suite's FreeRTOS platform (examples/apps/conformance/port-freertos.c) measures at the
 * end of a run: each task's stack high-water mark against the stack it was given, and the heap's
 * minimum-ever free space. Board sizes (ioTaskStackSize, the tcpip thread, configTOTAL_HEAP_SIZE)
 * are set from these figures; the report shows them.
 */

export interface TaskStackUsage {
  task: string;
  /** Bytes the task was given. */
  size: number;
  /** Bytes it never touched (uxTaskGetStackHighWaterMark, in bytes). */
  unused: number;
  /** size - unused: the deepest the stack went. */
  used: number;
}

export interface FreertosUsage {
  stacks: TaskStackUsage[];
  /** configTOTAL_HEAP_SIZE and xPortGetMinimumEverFreeHeapSize(), in bytes. */
  heap?: { total: number; minFree: number; used: number };
}

const STACK_RE = /^# freertos stack (\S+): (\d+) of (\d+) bytes never used$/;
const HEAP_RE = /^# freertos heap: (\d+) of (\d+) bytes minimum ever free$/;

/** The figures in a run's output, or undefined when it printed none (not a FreeRTOS run). */
export function parseFreertosUsage(lines: readonly string[]): FreertosUsage | undefined {
  const stacks: TaskStackUsage[] = [];
  let heap: FreertosUsage['heap'];
  for (const line of lines) {
    const s = STACK_RE.exec(line);
    if (s) {
      const [unused, size] = [Number(s[2]), Number(s[3])];
      stacks.push({ task: s[1] as string, size, unused, used: size - unused });
      continue;
    }
    const h = HEAP_RE.exec(line);
    if (h) {
      const [minFree, total] = [Number(h[1]), Number(h[2])];
      heap = { total, minFree, used: total - minFree };
    }
  }
  if (!stacks.length && heap === undefined) return undefined;
  return { stacks, ...(heap ? { heap } : {}) };
}

/** How many times the deepest use fits in what was given: the margin a size keeps. */
export function margin(size: number, used: number): string {
  return used > 0 ? `${(size / used).toFixed(1)}x` : '-';
}
