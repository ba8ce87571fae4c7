/**
 * Disabled-feature stubs, written from the HAL description: a function whose feature the board
 * turns off keeps its prototype, uses none of its arguments, logs why (in the words of the
 * header's doc comment) and returns the description's `disabledReturn`. Templates mark the
 * place with `//% stub`. A `core` function has one too, for a board with no socket type on.
 */
import type { HalDescription } from '../describe/hal.js';

export function disabledStub(hal: HalDescription, name: string): string[] | undefined {
  const fn = hal.functions.find((f) => f.name === name);
  if (!fn) return undefined;
  const why = fn.feature === 'core' ? 'no socket type is enabled' : `${fn.feature} is off`;
  return [
    ...fn.params.map((p) => `    (void)${p.name};`),
    `    QHAL_LOG(LL_ERR, "%s: ${why} for this board", __func__);`,
    fn.disabledReturn === '' ? '    return;' : `    return ${fn.disabledReturn};`,
  ];
}
