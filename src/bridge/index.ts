/**
 * `mynacard/bridge`: a web page's way to a PC/SC reader through the local `mynacard bridge`
 * service (docs/bridge.md). Browser-safe: it uses the page's `WebSocket`.
 *
 * ```ts
 * import { MyNumberCard } from 'mynacard';
 * import { BridgeTransport } from 'mynacard/bridge';
 *
 * const transport = await BridgeTransport.connect({ url: 'ws://127.0.0.1:47110', token });
 * await using card = await MyNumberCard.connect(transport, { closeTransport: true });
 * const certificate = await card.jpki.readCertificate('auth');
 * ```
 * @packageDocumentation
 */
export {
  BridgeTransport,
  listReaders,
  pair,
  requestPairingCode,
  type BridgePairOptions,
  type BridgeTransactionOptions,
  type BridgeTransportOptions,
} from './transport.js';
export type { BridgeConnectionOptions, WebSocketConstructor, WebSocketLike } from './socket.js';
export { BridgeError, bridgeErrorFromClose, bridgeErrorFromWire } from './errors.js';
export {
  BRIDGE_CLOSE,
  BRIDGE_DEFAULT_PORT,
  BRIDGE_MAX_FRAME_BYTES,
  BRIDGE_PROTOCOL,
  BRIDGE_PROTOCOL_VERSION,
  type BridgeErrorCode,
  type BridgeRequestType,
} from './protocol.js';
export {
  AbortedError,
  CardBusyError,
  CardRemovedError,
  MynacardError,
  PcscServiceError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../errors.js';
export type { ReaderInfo } from '../transport/readers.js';
