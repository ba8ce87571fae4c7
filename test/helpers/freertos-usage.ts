/** Checks on what a FreeRTOS run measured (toolkit/run/freertos-usage.ts). */
import assert from 'node:assert/strict';
import type { FreertosUsage, TaskStackUsage } from '../../toolkit/run/freertos-usage.js';

/**
 * The case task, the HAL's I/O task and lwIP's tcpip thread each report a high-water mark that
 * is real (some stack untouched, some used: neither 0 nor the whole stack) and the heap's
 * low point lies inside the heap.
 */
export function assertSaneFreertosUsage(u: FreertosUsage | undefined, context: string): void {
  assert.ok(u, `no '# freertos' figures in the run:\n${context}`);
  for (const task of ['suite', 'qhal_io', 'tcpip_thread']) {
    const s: TaskStackUsage | undefined = u.stacks.find((x) => x.task === task);
    assert.ok(s, `no stack figure for ${task}:\n${context}`);
    assert.ok(s.unused > 0 && s.unused < s.size, `${task}: ${s.unused} of ${s.size} never used`);
    assert.equal(s.used, s.size - s.unused);
  }
  assert.ok(u.heap, `no heap figure:\n${context}`);
  assert.ok(
    u.heap.minFree > 0 && u.heap.minFree < u.heap.total,
    `heap: ${u.heap.minFree} of ${u.heap.total} minimum ever free`,
  );
}
