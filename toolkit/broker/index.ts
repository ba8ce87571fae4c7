export {
  startBroker,
  runBrokerCommand,
  suiteConfig,
  type Broker,
  type BrokerInfo,
  type BrokerOptions,
} from './broker.js';
export { createPki, pkiPaths, pkiComplete, type Pki } from './pki.js';
export { answer as dnsAnswer, TEST_ZONE, testZone } from './dns.js';
export { ensureDtlsEcho } from './native.js';
