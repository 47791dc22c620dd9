/**
 * `mynacard/testing`: the virtual My Number Card, the JPKI test PKI, the builders of the card's
 * file contents, and the vpcd bridge that puts the virtual card into a real PC/SC stack (the
 * bridge loads `node:net` only when called, so this entry stays bundleable for browsers).
 * @packageDocumentation
 */
export * from './virtual-card/index.js';
export * from './pki.js';
export * from './pki-gen2.js';
export { testTrustAnchors } from './trust-anchors.js';
export * from './pki-revocation.js';
export * from './content/index.js';
export { connectToVpcd, VPCD_DEFAULT_PORT, type VpcdCard, type VpcdConnection, type VpcdOptions } from './vpcd.js';
export {
  ReplayError,
  ReplayTransport,
  type ReplayErrorCode,
  type ReplayExchange,
  type ReplayTransportOptions,
} from './replay.js';
export {
  FakeSmartCard,
  createSmartCardError,
  type SmartCardErrorLike,
  type FakeSmartCardCard,
  type FakeSmartCardOptions,
  type FakeSmartCardTransactionRecord,
} from './fake-smart-card/index.js';
