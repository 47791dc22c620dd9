export type { Transport } from './transport.js';
