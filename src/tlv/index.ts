/**
 * `mynacard/tlv` — the BER/DER TLV (タグ・長さ・値) codec used for My Number Card data and certificates: a validating,
 * zero-copy, lazily materialised decoder, a small encoder, typed readers and Simple-TLV.
 * @packageDocumentation
 */
export { TlvError } from './errors.js';
export type { TlvErrorCode } from './errors.js';
export { encodeTlv, encodeTlvLength, tlvTagByteLength } from './encode.js';
export { decodeTlv, validateTlv, DEFAULT_TLV_MAX_DEPTH } from './decode.js';
export type { DecodeTlvOptions } from './decode.js';
export { tlvCursor, TlvCursor } from './cursor.js';
export { tlvTagClassOf } from './node.js';
export type { TlvNode, TlvTagClass } from './node.js';
export { readTlvHeader } from './header.js';
export type { TlvHeader } from './header.js';
export { findTlv, findAllTlv, findTlvPath } from './find.js';
export {
  readTlvInteger,
  readTlvBoolean,
  readTlvBitString,
  readTlvOid,
  readTlvString,
  readTlvTime,
  TlvUniversalTag,
} from './read.js';
export type { TlvBitString } from './read.js';
export { decodeSimpleTlv, encodeSimpleTlv } from './simple.js';
export type { SimpleTlv } from './simple.js';
