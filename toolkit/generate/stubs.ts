/**
 * Disabled-feature stubs, written from the HAL description: a function whose feature the board
 * turns off keeps its prototype, uses none of its arguments, logs why and returns the
 * description's `disabledReturn`. Templates mark the place with `//% stub`.
 */
import type { FeatureName, HalDescription } from '../describe/hal.js';

/** How the log line names each feature. */
const FEATURE_TEXT: Record<FeatureName, string> = {
  core: 'the core',
  tcp: 'TCP',
  udp: 'UDP',
  tls: 'TLS',
  dtls: 'DTLS',
  tcpServer: 'TCP server',
  broadcast: 'UDP broadcast',
  dns: 'DNS',
};

export function disabledStub(hal: HalDescription, name: string): string[] | undefined {
  const fn = hal.functions.find((f) => f.name === name);
  if (!fn || fn.feature === 'core') return undefined;
  return [
    ...fn.params.map((p) => `    (void)${p.name};`),
    `    QHAL_LOG(LL_ERR, "%s: ${FEATURE_TEXT[fn.feature]} is disabled for this board", __func__);`,
    fn.disabledReturn === '' ? '    return;' : `    return ${fn.disabledReturn};`,
  ];
}
