/**
 * Layout of the text, face, common and 住基 APs: which EF holds what, and which secret opens
 * it. File contents come from the builders in `../content/`.
 * @packageDocumentation
 */
import { AID_COMMON, AID_FACE, AID_JUKI, AID_TEXT, COMMON_EF, FACE_EF, TEXT_EF } from './constants.js';
import { ALWAYS, afterPin, efMap, type DedicatedFile } from './file-system.js';
import type { PinObject } from './pin.js';

/** Physical contents of the text AP's data EFs. */
export interface TextApContent {
  readonly ef0001: Uint8Array;
  readonly ef0002: Uint8Array;
  readonly ef0003: Uint8Array;
  readonly ef0004: Uint8Array;
  readonly ef0005: Uint8Array;
}

/** The text AP's secrets. */
export interface TextApPins {
  /** 券面事項入力補助用暗証番号 (EF 0011). */
  readonly pin: PinObject;
  /** 照合番号A (EF 0014). */
  readonly verificationA: PinObject;
  /** 照合番号B (EF 0015). */
  readonly verificationB: PinObject;
  /** EF 0012: blocked on every card examined (empty VERIFY → 63C0, VERIFY → 6984). §3.2 [S] */
  readonly blocked0012: PinObject;
}

/**
 * 券面事項入力補助AP. card-facts §3.2 access rules: 0001 PIN or A; 0002 PIN or B;
 * 0003 PIN, A or B; 0004 and 0005 free. [C/S as listed there]
 */
export function buildTextAp(content: TextApContent, pins: TextApPins): DedicatedFile {
  const { pin, verificationA: a, verificationB: b } = TEXT_EF;
  return {
    name: 'text',
    aid: AID_TEXT,
    efs: efMap(
      { kind: 'binary', fid: TEXT_EF.myNumber, data: content.ef0001, read: afterPin(pin, a), sensitive: true },
      { kind: 'binary', fid: TEXT_EF.attributes, data: content.ef0002, read: afterPin(pin, b) },
      { kind: 'binary', fid: TEXT_EF.integrity, data: content.ef0003, read: afterPin(pin, a, b) },
      { kind: 'binary', fid: TEXT_EF.cvCertificate, data: content.ef0004, read: ALWAYS },
      { kind: 'binary', fid: TEXT_EF.basicInfo, data: content.ef0005, read: ALWAYS },
      { kind: 'pin', fid: pin, pin: pins.pin },
      { kind: 'pin', fid: TEXT_EF.blocked0012, pin: pins.blocked0012 },
      { kind: 'pin', fid: a, pin: pins.verificationA },
      { kind: 'pin', fid: b, pin: pins.verificationB },
    ),
  };
}

/** Physical contents of the face AP's data EFs. */
export interface FaceApContent {
  readonly ef0001: Uint8Array;
  readonly ef0002: Uint8Array;
  readonly ef0003: Uint8Array;
  readonly ef0004: Uint8Array;
  readonly ef0005: Uint8Array;
}

/** The face AP's secrets. */
export interface FaceApPins {
  /** 生年月日 key (EF 0011). */
  readonly birthDate: PinObject;
  /** 照合番号B (EF 0012). */
  readonly verificationB: PinObject;
  /** 照合番号A (EF 0013). */
  readonly verificationA: PinObject;
}

/** EF 0006 of the face AP: 16 × FF. card-facts §3.3 [S] */
const FACE_EF_0006 = new Uint8Array(16).fill(0xff);

/**
 * 券面事項確認AP. card-facts §3.3 access summary: A opens 0002–0006, B the same minus 0005,
 * the birth-date key only 0001; 0003 and 0004 are free. [S, partly C]
 */
export function buildFaceAp(content: FaceApContent, pins: FaceApPins): DedicatedFile {
  const { verificationA: a, verificationB: b, birthDateKey } = FACE_EF;
  return {
    name: 'face',
    aid: AID_FACE,
    efs: efMap(
      { kind: 'binary', fid: FACE_EF.age, data: content.ef0001, read: afterPin(birthDateKey) },
      { kind: 'binary', fid: FACE_EF.face, data: content.ef0002, read: afterPin(a, b) },
      { kind: 'binary', fid: FACE_EF.basicInfo, data: content.ef0003, read: ALWAYS },
      { kind: 'binary', fid: FACE_EF.cvCertificate, data: content.ef0004, read: ALWAYS },
      { kind: 'binary', fid: FACE_EF.myNumberImage, data: content.ef0005, read: afterPin(a) },
      { kind: 'binary', fid: FACE_EF.unknown0006, data: FACE_EF_0006, read: afterPin(a, b) },
      { kind: 'pin', fid: birthDateKey, pin: pins.birthDate },
      { kind: 'pin', fid: b, pin: pins.verificationB },
      { kind: 'pin', fid: a, pin: pins.verificationA },
    ),
  };
}

/**
 * 共通カードAP: record EF 0001 (record 1 readable without PIN, card-facts §3.4 [C]) and the
 * 16-byte EF 0002 [S]. Its PIN (EF 001C) and INTERNAL AUTHENTICATE key are not modelled.
 */
export function buildCommonAp(record: Uint8Array, keyReference: Uint8Array): DedicatedFile {
  return {
    name: 'common',
    aid: AID_COMMON,
    efs: efMap(
      { kind: 'record', fid: COMMON_EF.record, records: [record], read: ALWAYS },
      { kind: 'binary', fid: COMMON_EF.keyReference, data: keyReference, read: ALWAYS },
    ),
  };
}

/**
 * 住基AP: only EF 0002 (the same bytes as the common AP's EF 0002, card-facts §3.5 [S]);
 * readability unknown, modelled as free [U]. The 住基 PIN (EF 001C) is not modelled.
 */
export function buildJukiAp(keyReference: Uint8Array): DedicatedFile {
  return {
    name: 'juki',
    aid: AID_JUKI,
    efs: efMap({ kind: 'binary', fid: COMMON_EF.keyReference, data: keyReference, read: ALWAYS }),
  };
}
