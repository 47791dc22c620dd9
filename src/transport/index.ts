export type { Transport } from './transport.js';
export {
  ReplayError,
  ReplayTransport,
  type ReplayErrorCode,
  type ReplayExchange,
  type ReplayTransportOptions,
} from './replay.js';
