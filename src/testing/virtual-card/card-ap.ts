/**
 * Card APs in the virtual card's free areas (地域住民向け領域 / 拡張利用領域): installation from
 * an SDK descriptor, moving out (転出), area capacity, and the three commands card APs use —
 * UPDATE BINARY, GET CHALLENGE and EXTERNAL AUTHENTICATE.
 *
 * These commands are answered only while a card AP is the current DF; elsewhere the card keeps
 * answering `6D00` as before ([U]: the real card's card APs define their own command sets).
 *
 * **The issuer authentication scheme is this test card's, not a standard**: real card APs define
 * their own (keys and algorithms are the installer's and J-LIS's). Here:
 * - GET CHALLENGE `00 84 00 00 Le` (Le 1–256, short only; extended → `6985`, card-facts §8 [S])
 *   returns Le deterministic bytes (SHA-256 of a per-card counter), valid for the next command
 *   only (GET RESPONSE excepted);
 * - EXTERNAL AUTHENTICATE `00 82 00 00 10 <cryptogram>` with
 *   cryptogram = first 16 bytes of HMAC-SHA-256(issuerKey, challenge ‖ AID)
 *   ({@link testCardApCryptogram}) → `9000` and the card AP's `'issuer'` files become writable
 *   until the DF is selected again; a wrong cryptogram → `6300`; no challenge → `6985`; no
 *   issuer key installed → `6A88`.
 * @packageDocumentation
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CommandApdu } from '../../apdu/command.js';
import { concatBytes, equalBytes, toHex } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import {
  checkCardApDescriptor,
  type CardApContents,
  type CardApDescriptor,
  type CardApFileSpec,
  type CardApSecretName,
  type CardApSecretSpec,
} from '../../aps/card-ap/descriptor.js';
import { CardApCapacityError, CardApCodecError, CardApValueTooLargeError } from '../../aps/card-ap/errors.js';
import { CARD_AP_AREAS, CARD_AP_INS, type CardApArea } from '../../aps/card-ap/constants.js';
import { fillerOf } from '../../aps/card-ap/tlv-record.js';
import type { Handler, HandlerResult } from './commands.js';
import { INS, SW } from './constants.js';
import { ALWAYS, NEVER, afterPin, efMap, type AccessRule, type DedicatedFile, type ElementaryFile, type FileSystem } from './file-system.js';
import { PinObject, type PinState } from './pin.js';

/** Default capacities of the areas in bytes (a modelling choice [U]). */
export const DEFAULT_CARD_AP_CAPACITY: Readonly<Record<CardApArea, number>> = { regional: 4096, extension: 8192 };

/** Default retry limit of a card-AP secret without `maxTries` (like the card's PINs, card-facts §5) [U]. */
const DEFAULT_SECRET_TRIES = 3;
/** Bytes of the test scheme's cryptogram. */
const CRYPTOGRAM_LENGTH = 16;
/** Shortest issuer key accepted (128 bits). */
const MIN_ISSUER_KEY = 16;
/** Security-status entry for "EXTERNAL AUTHENTICATE succeeded": outside the FID range, never a file. */
const ISSUER_AUTHENTICATED = 0x1_0000;
/** Bytes of an erased file (what `installCardAp` leaves in files without contents). */
const ERASED = 0xff;
/** `6A84`: not enough memory space in the file (UPDATE beyond the end) [U]. */
const SW_NOT_ENOUGH_MEMORY = 0x6a84;
/** `6300`: authentication failed. card-facts §5 (6300) [U for EXTERNAL AUTHENTICATE] */
const SW_AUTH_FAILED = 0x6300;

/** Secrets and the issuer key of a card AP being installed. */
export interface VirtualCardApKeys<D extends CardApDescriptor = CardApDescriptor> {
  /** The value of every secret of the descriptor (formats as the descriptor says). */
  readonly secrets?: { readonly [K in CardApSecretName<D>]?: string };
  /** Tries left at installation, by secret (default the maximum). */
  readonly tries?: { readonly [K in CardApSecretName<D>]?: number };
  /** The issuer key of the test scheme (≥ 16 bytes), for files written `'issuer'`. */
  readonly issuerKey?: Uint8Array;
}

/** A card AP on the virtual card. */
export interface InstalledCardAp {
  /** The descriptor's name. */
  readonly name: string;
  /** Its area. */
  readonly area: CardApArea;
  /** Its DF name (a copy). */
  readonly aid: Uint8Array;
  /** Bytes it takes from its area (the sum of its file sizes). */
  readonly size: number;
}

interface Entry {
  readonly descriptor: CardApDescriptor;
  readonly df: DedicatedFile;
  readonly size: number;
  readonly issuerKey: Uint8Array | undefined;
  readonly pins: ReadonlyMap<string, PinObject>;
}

/**
 * The test scheme's EXTERNAL AUTHENTICATE cryptogram: the first 16 bytes of
 * HMAC-SHA-256(issuerKey, challenge ‖ AID). What an installer's HSM would compute for the
 * virtual card; real card APs define their own scheme.
 */
export function testCardApCryptogram(issuerKey: Uint8Array, challenge: Uint8Array, aid: Uint8Array): Uint8Array {
  return hmac(sha256, issuerKey, concatBytes(challenge, aid)).slice(0, CRYPTOGRAM_LENGTH);
}

function secretFormat(spec: CardApSecretSpec): RegExp {
  const min = spec.minLength ?? 4;
  const max = spec.maxLength ?? Math.max(4, min);
  const chars = { digits: '0-9', alphanumeric: 'A-Za-z0-9', ascii: '\\x20-\\x7e' }[spec.charset ?? 'digits'];
  return new RegExp(`^[${chars}]{${min},${max}}$`);
}

function readRule(spec: CardApFileSpec, descriptor: CardApDescriptor): AccessRule {
  return spec.read === 'free' ? ALWAYS : afterPin(descriptor.secrets[spec.read.secret]!.fid);
}

function writeRule(spec: CardApFileSpec, descriptor: CardApDescriptor): AccessRule {
  if (spec.write === 'never') return NEVER;
  if (spec.write === 'issuer') return afterPin(ISSUER_AUTHENTICATED);
  return afterPin(descriptor.secrets[spec.write.secret]!.fid);
}

/** The file's bytes for `value`, laid out as the SDK writes them (fixed codec first, TLV record + filler). */
function fileImage(name: string, spec: CardApFileSpec, value: unknown): Uint8Array {
  const image = new Uint8Array(spec.size).fill(spec.codec.layout === 'tlv' ? fillerOf(spec.codec) : ERASED);
  if (value === undefined) return image;
  let encoded: Uint8Array;
  try {
    encoded = spec.codec.encode(value);
  } catch (error) {
    throw error instanceof CardApCodecError || error instanceof CardApValueTooLargeError ? error.inFile(name) : error;
  }
  if (encoded.length > spec.size) throw new CardApValueTooLargeError(spec.size, encoded.length, name);
  image.set(encoded);
  return image;
}

const status = (sw: number): HandlerResult => ({ data: new Uint8Array(0), sw });

/** The card APs of one virtual card and the state of the issuer authentication. */
export class CardApStore {
  readonly #fs: FileSystem;
  readonly #capacity: Readonly<Record<CardApArea, number>>;
  readonly #entries = new Map<DedicatedFile, Entry>();
  #challenge: { readonly bytes: Uint8Array; readonly df: DedicatedFile } | undefined;
  #challengeCount = 0;
  readonly #handlers: ReadonlyMap<number, Handler>;

  /** @throws InvalidArgumentError for a capacity that is not a non-negative integer */
  constructor(fs: FileSystem, capacity: { readonly regional?: number; readonly extension?: number } = {}) {
    this.#fs = fs;
    const resolved = { ...DEFAULT_CARD_AP_CAPACITY };
    for (const area of CARD_AP_AREAS) {
      const c = capacity[area];
      if (c === undefined) continue;
      if (!Number.isInteger(c) || c < 0) throw new InvalidArgumentError(`cardApCapacity.${area} must be an integer ≥ 0`);
      resolved[area] = c;
    }
    this.#capacity = resolved;
    this.#handlers = new Map<number, Handler>([
      [CARD_AP_INS.updateBinary, (command) => this.#updateBinary(command)],
      [CARD_AP_INS.getChallenge, (command) => this.#getChallenge(command)],
      [CARD_AP_INS.externalAuthenticate, (command) => this.#externalAuthenticate(command)],
    ]);
  }

  /** Capacity of `area` in bytes. */
  capacity(area: CardApArea): number {
    return this.#capacity[area];
  }

  /** Bytes of `area` taken by installed card APs. */
  used(area: CardApArea): number {
    let used = 0;
    for (const e of this.#entries.values()) if (e.descriptor.area === area) used += e.size;
    return used;
  }

  /** The installed card APs, in installation order. */
  get installed(): readonly InstalledCardAp[] {
    return [...this.#entries.values()].map((e) => ({
      name: e.descriptor.name,
      area: e.descriptor.area,
      aid: e.df.aid.slice(),
      size: e.size,
    }));
  }

  /**
   * Install a card AP: its files (with `contents` encoded by the descriptor's codecs; files
   * without contents are erased, all `FF`), its secrets and its issuer key.
   * @throws CardApCapacityError when the area is too full; InvalidArgumentError for an AID
   *   already on the card, a missing or malformed secret, an unknown file or a bad key;
   *   CardApValueTooLargeError / CardApCodecError for contents that do not encode
   */
  install<D extends CardApDescriptor>(descriptor: D, contents: CardApContents<D> = {}, keys: VirtualCardApKeys<D> = {}): InstalledCardAp {
    checkCardApDescriptor(descriptor);
    if (this.#fs.findDf(descriptor.aid) !== undefined) {
      throw new InvalidArgumentError(`A DF named ${toHex(descriptor.aid).toUpperCase()} is already on the card`);
    }
    const files = Object.entries(descriptor.files);
    const size = files.reduce((sum, [, spec]) => sum + spec.size, 0);
    const used = this.used(descriptor.area);
    const capacity = this.#capacity[descriptor.area];
    if (used + size > capacity) throw new CardApCapacityError(descriptor.area, capacity, used, size);
    for (const name of Object.keys(contents)) {
      if (!Object.hasOwn(descriptor.files, name)) throw new InvalidArgumentError(`contents: the card AP has no file "${name}"`);
    }
    const issuerKey = keys.issuerKey;
    if (issuerKey !== undefined && (!(issuerKey instanceof Uint8Array) || issuerKey.length < MIN_ISSUER_KEY)) {
      throw new InvalidArgumentError(`issuerKey must be a Uint8Array of at least ${MIN_ISSUER_KEY} bytes`);
    }
    const secretValues = (keys.secrets ?? {}) as Readonly<Record<string, string | undefined>>;
    const tries = (keys.tries ?? {}) as Readonly<Record<string, number | undefined>>;
    for (const name of [...Object.keys(secretValues), ...Object.keys(tries)]) {
      if (!Object.hasOwn(descriptor.secrets, name)) throw new InvalidArgumentError(`keys: the card AP has no secret "${name}"`);
    }
    const pins = new Map<string, PinObject>();
    const efs: ElementaryFile[] = [];
    for (const [name, spec] of Object.entries(descriptor.secrets)) {
      const value = secretValues[name];
      const format = secretFormat(spec);
      if (typeof value !== 'string' || !format.test(value)) {
        throw new InvalidArgumentError(`keys.secrets.${name} is missing or does not have the secret's format`);
      }
      const maxTries = spec.maxTries ?? DEFAULT_SECRET_TRIES;
      const left = tries[name] ?? maxTries;
      if (!Number.isInteger(left) || left < 0 || left > maxTries) {
        throw new InvalidArgumentError(`keys.tries.${name} must be an integer 0..${maxTries}`);
      }
      const pin = new PinObject({ value, maxTries, remaining: left, format });
      pins.set(name, pin);
      efs.push({ kind: 'pin', fid: spec.fid, pin });
    }
    const values = contents as Readonly<Record<string, unknown>>;
    for (const [name, spec] of files) {
      efs.push({
        kind: 'binary',
        fid: spec.fid,
        data: fileImage(name, spec, values[name]),
        read: readRule(spec, descriptor),
        write: writeRule(spec, descriptor),
      });
    }
    const df: DedicatedFile = { name: 'card-ap', aid: descriptor.aid.slice(), efs: efMap(...efs) };
    this.#entries.set(df, { descriptor, df, size, issuerKey: issuerKey?.slice(), pins });
    this.#fs.addApplication(df);
    return { name: descriptor.name, area: descriptor.area, aid: df.aid.slice(), size };
  }

  /** Remove the card AP named `aid`; false when it was not installed. */
  uninstall(aid: Uint8Array): boolean {
    for (const [df, entry] of this.#entries) {
      if (equalBytes(df.aid, aid)) {
        this.#remove(df, entry);
        return true;
      }
    }
    return false;
  }

  /** 転出: remove every regional card AP, keep the extension ones. Returns the names removed. */
  moveOut(): string[] {
    const removed: string[] = [];
    for (const [df, entry] of [...this.#entries]) {
      if (entry.descriptor.area !== 'regional') continue;
      this.#remove(df, entry);
      removed.push(entry.descriptor.name);
    }
    return removed;
  }

  #remove(df: DedicatedFile, entry: Entry): void {
    this.#entries.delete(df);
    this.#fs.removeApplication(df);
    entry.issuerKey?.fill(0);
    if (this.#challenge?.df === df) this.#challenge = undefined;
  }

  #entryOf(descriptor: CardApDescriptor): Entry {
    for (const entry of this.#entries.values()) if (equalBytes(entry.df.aid, descriptor.aid)) return entry;
    throw new InvalidArgumentError(`The card AP "${descriptor.name}" is not installed`);
  }

  /** A copy of a card-AP file's bytes (for tests). */
  file(descriptor: CardApDescriptor, fileName: string): Uint8Array {
    const spec = descriptor.files[fileName];
    if (spec === undefined) throw new InvalidArgumentError(`The card AP has no file "${fileName}"`);
    const ef = this.#entryOf(descriptor).df.efs.get(spec.fid);
    if (ef?.kind !== 'binary') throw new InvalidArgumentError(`The card AP has no file "${fileName}"`);
    return ef.data.slice();
  }

  /** Counter state of a card-AP secret (for tests). */
  secretState(descriptor: CardApDescriptor, secretName: string): PinState {
    const pin = this.#entryOf(descriptor).pins.get(secretName);
    if (pin === undefined) throw new InvalidArgumentError(`The card AP has no secret "${secretName}"`);
    return pin.state();
  }

  /** Called for every command: a challenge is valid for the next command only (GET RESPONSE aside). */
  beforeCommand(ins: number | undefined): void {
    if (ins !== CARD_AP_INS.externalAuthenticate && ins !== INS.getResponse) this.#challenge = undefined;
  }

  /** Power-on / reset: no challenge. */
  reset(): void {
    this.#challenge = undefined;
  }

  /** The card-AP handler of `ins` when a card AP is the current DF; otherwise undefined. */
  handlerFor(ins: number): Handler | undefined {
    const df = this.#fs.currentDf;
    return df !== undefined && this.#entries.has(df) ? this.#handlers.get(ins) : undefined;
  }

  /** UPDATE BINARY (D6): 15-bit offset in the current EF, or `80|SFI` with an 8-bit offset. */
  #updateBinary(command: CommandApdu): HandlerResult {
    const fs = this.#fs;
    const { p1, p2, data } = command;
    if (data.length === 0 || command.le !== undefined) return status(SW.wrongLength);
    let ef: ElementaryFile | undefined;
    let offset: number;
    if ((p1 & 0x80) !== 0) {
      const sfi = p1 & 0x1f;
      if ((p1 & 0x60) !== 0 || sfi === 0 || sfi === 0x1f) return status(SW.incorrectP1P2);
      ef = fs.selectEf(sfi);
      if (ef === undefined) return status(SW.fileNotFound);
      offset = p2;
    } else {
      ef = fs.currentEf;
      if (ef === undefined) return status(SW.noCurrentEf);
      offset = (p1 << 8) | p2;
    }
    if (ef.kind !== 'binary') return status(SW.incompatibleFile);
    if (!fs.allows(ef.write ?? NEVER)) return status(SW.securityNotSatisfied);
    if (offset >= ef.data.length) return status(SW.wrongOffset);
    if (offset + data.length > ef.data.length) return status(SW_NOT_ENOUGH_MEMORY);
    ef.data.set(data, offset);
    return status(SW.ok);
  }

  /** GET CHALLENGE (84). */
  #getChallenge(command: CommandApdu): HandlerResult {
    if (command.p1 !== 0 || command.p2 !== 0) return status(SW.incorrectP1P2);
    if (command.data.length > 0 || command.le === undefined) return status(SW.wrongLength);
    if (command.isExtended) return status(SW.conditionsNotSatisfied); // card-facts §8 [S]
    const df = this.#fs.currentDf!;
    const count = this.#challengeCount++;
    const blocks: Uint8Array[] = [];
    for (let i = 0; blocks.length * 32 < command.le; i++) {
      blocks.push(sha256(concatBytes(Uint8Array.of(count >>> 24, count >>> 16, count >>> 8, count, i), df.aid)));
    }
    const bytes = concatBytes(...blocks).slice(0, command.le);
    this.#challenge = { bytes, df };
    return { data: bytes.slice(), sw: SW.ok };
  }

  /** EXTERNAL AUTHENTICATE (82) with the test scheme. */
  #externalAuthenticate(command: CommandApdu): HandlerResult {
    const challenge = this.#challenge;
    this.#challenge = undefined; // one attempt per challenge
    if (command.p1 !== 0 || command.p2 !== 0) return status(SW.incorrectP1P2);
    if (command.data.length === 0 || command.le !== undefined) return status(SW.wrongLength);
    const df = this.#fs.currentDf!;
    const key = this.#entries.get(df)?.issuerKey;
    if (key === undefined) return status(SW.dataNotFound);
    if (challenge === undefined || challenge.df !== df) return status(SW.conditionsNotSatisfied);
    const expected = testCardApCryptogram(key, challenge.bytes, df.aid);
    if (!equalBytes(expected, command.data)) return status(SW_AUTH_FAILED);
    this.#fs.markVerified(ISSUER_AUTHENTICATED);
    return status(SW.ok);
  }
}
