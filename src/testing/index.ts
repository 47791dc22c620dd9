/**
 * `mynacard/testing`: the virtual My Number Card, the JPKI test PKI and the builders of the
 * card's file contents. Browser-safe (the vpcd bridge, which needs Node sockets, is not
 * exported here).
 * @packageDocumentation
 */
export * from './virtual-card/index.js';
export * from './pki.js';
export * from './content/index.js';
