/**
 * Disabled-feature stubs, written from the HAL description: a function whose feature the board
 * turns off keeps its prototype, uses none of its arguments, logs why (in the words of the
 * header's doc comment) and returns the description's `disabledReturn`. Templates mark the
 * place with `//% stub`.
 */
import type { HalDescription } from '../describe/hal.js';

export function disabledStub(hal: HalDescription, name: string): string[] | undefined {
  const fn = hal.functions.find((f) => f.name === name);
  if (!fn || fn.feature === 'core') return undefined;
  return [
    ...fn.params.map((p) => `    (void)${p.name};`),
    `    QHAL_LOG(LL_ERR, "%s: ${fn.feature} is off for this board", __func__);`,
    fn.disabledReturn === '' ? '    return;' : `    return ${fn.disabledReturn};`,
  ];
}
