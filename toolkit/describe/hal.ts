/**
 * The typed vocabulary of the HAL description (`hal/qhal_socket.ts`): C functions with their
 * exact prototypes and parameter directions, enums, and the core callbacks the HAL calls.
 */

export type Direction = 'in' | 'out' | 'inout';

/** A board feature a HAL function belongs to; `core` functions are always required. */
export type FeatureName =
  'core' | 'tcp' | 'udp' | 'tls' | 'dtls' | 'tcpServer' | 'broadcast' | 'dns';

export interface CParam {
  name: string;
  /** C type exactly as in the prototype, e.g. `const char *`. */
  type: string;
  direction: Direction;
  doc: string;
}

export interface HalFunction {
  name: string;
  returns: string;
  params: CParam[];
  /** The feature that requires this function. */
  feature: FeatureName;
  /** Value returned when the board turns the feature off. */
  disabledReturn: string;
  doc: string;
}

export interface CEnumMember {
  name: string;
  value: number;
  doc: string;
}

export interface CEnum {
  name: string;
  members: CEnumMember[];
}

export interface CoreCallbackVariant {
  /** Core interface condition for this variant: `peerSize` present or not. */
  rxPeerSize: boolean;
  params: CParam[];
}

export interface CoreCallback {
  name: string;
  returns: string;
  /** One entry, or one per signature generation (e.g. Quos_socketIORx with/without peerSize). */
  variants: CoreCallbackVariant[];
  doc: string;
}

export interface HalDescription {
  functions: HalFunction[];
  enums: CEnum[];
  callbacks: CoreCallback[];
  /** Macros the header defines (name → C expression), e.g. SOCKET_FD_INVALID. */
  constants: { name: string; value: string; doc: string }[];
}

export function defineHal(hal: HalDescription): HalDescription {
  return hal;
}
