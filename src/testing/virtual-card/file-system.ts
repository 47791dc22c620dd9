/**
 * The virtual card's file system: DFs (applications) with their EFs and access rules, the
 * current DF / EF, and the security status of the current DF.
 *
 * card-facts §9 items 2–3: one current-EF pointer inside the current DF; the security status
 * (which PIN IEFs are verified) belongs to the current DF and is cleared whenever a DF is
 * selected — including a re-selection of the same DF, which is how OpenSC logs out [S] — and
 * survives SELECTs of other EFs in the same DF [C].
 * @packageDocumentation
 */
import { equalBytes } from '../../bytes.js';
import type { PinObject } from './pin.js';
import type { RsaPrivateKey } from './rsa.js';

/** Who may read / use a file. */
export type AccessRule =
  | { readonly kind: 'always' }
  | { readonly kind: 'never' }
  /** Allowed once any of these PIN IEFs (by FID) is verified in the current DF. */
  | { readonly kind: 'pin'; readonly anyOf: readonly number[] };

/** Free access. */
export const ALWAYS: AccessRule = { kind: 'always' };
/** No access at all (a protected EF whose condition the virtual card never satisfies). */
export const NEVER: AccessRule = { kind: 'never' };
/** Access after any one of the given PIN IEFs is verified. */
export function afterPin(...anyOf: number[]): AccessRule {
  return { kind: 'pin', anyOf };
}

/** A transparent EF (READ BINARY). */
export interface BinaryEf {
  readonly kind: 'binary';
  readonly fid: number;
  readonly data: Uint8Array;
  readonly read: AccessRule;
  /** Who may UPDATE BINARY (only card APs of the free areas); absent = never. */
  readonly write?: AccessRule;
  /** Holds a 個人番号 in clear: the card's log redacts responses from it. */
  readonly sensitive?: boolean;
}

/** A record EF (READ RECORD); record n is `records[n − 1]`. */
export interface RecordEf {
  readonly kind: 'record';
  readonly fid: number;
  readonly records: readonly Uint8Array[];
  readonly read: AccessRule;
}

/** A PIN IEF. */
export interface PinEf {
  readonly kind: 'pin';
  readonly fid: number;
  readonly pin: PinObject;
}

/** A private-key IEF usable by the signature command. */
export interface KeyEf {
  readonly kind: 'key';
  readonly fid: number;
  readonly key: RsaPrivateKey;
  readonly use: AccessRule;
}

/** An IEF whose behaviour is not modelled (selectable; every read answers 6981). */
export interface InternalEf {
  readonly kind: 'internal';
  readonly fid: number;
}

/** Any elementary file. */
export type ElementaryFile = BinaryEf | RecordEf | PinEf | KeyEf | InternalEf;

/** Names of the applications the virtual card can hold. */
export type ApplicationName = 'jpki' | 'text' | 'face' | 'common' | 'juki';

/** A dedicated file (application) and its EFs. */
export interface DedicatedFile {
  /** One of the card's own applications, or `'card-ap'` for a card AP installed in a free area. */
  readonly name: ApplicationName | 'card-ap';
  readonly aid: Uint8Array;
  readonly efs: ReadonlyMap<number, ElementaryFile>;
}

/** Build the EF map of a DF. */
export function efMap(...files: ElementaryFile[]): ReadonlyMap<number, ElementaryFile> {
  return new Map(files.map((f) => [f.fid, f]));
}

/** Current DF, current EF and security status. */
export class FileSystem {
  readonly #dfs: DedicatedFile[];
  readonly #mfEfs: ReadonlyMap<number, ElementaryFile>;
  #currentDf: DedicatedFile | undefined;
  #currentEf: ElementaryFile | undefined;
  readonly #verified = new Set<number>();

  /**
   * @param dfs the applications present on the card
   * @param mfEfs EFs selectable at the MF / card-manager level (none is readable, card-facts §3.6)
   */
  constructor(dfs: readonly DedicatedFile[], mfEfs: ReadonlyMap<number, ElementaryFile>) {
    this.#dfs = [...dfs];
    this.#mfEfs = mfEfs;
  }

  /** Add an application (a card AP installed in a free area). */
  addApplication(df: DedicatedFile): void {
    this.#dfs.push(df);
  }

  /** Remove an application; when it is current the card returns to the MF level. */
  removeApplication(df: DedicatedFile): void {
    const i = this.#dfs.indexOf(df);
    if (i >= 0) this.#dfs.splice(i, 1);
    if (this.#currentDf === df) this.powerOn();
  }

  /** The applications present. */
  get applications(): readonly DedicatedFile[] {
    return this.#dfs;
  }

  /** Current DF; `undefined` at the MF / card-manager level (power-on state). */
  get currentDf(): DedicatedFile | undefined {
    return this.#currentDf;
  }

  /** Current EF inside the current DF, if any. */
  get currentEf(): ElementaryFile | undefined {
    return this.#currentEf;
  }

  /** Power-on / reset: MF level, no current EF, security status cleared. card-facts §9 item 1 */
  powerOn(): void {
    this.#currentDf = undefined;
    this.#currentEf = undefined;
    this.#verified.clear();
  }

  /** The DF whose name equals `aid` exactly, if present. */
  findDf(aid: Uint8Array): DedicatedFile | undefined {
    return this.#dfs.find((df) => equalBytes(df.aid, aid));
  }

  /** The first DF whose name starts with `prefix` (partial DF-name selection, ISO/IEC 7816-4 §11.2.2). */
  findDfByPrefix(prefix: Uint8Array): DedicatedFile | undefined {
    return this.#dfs.find((df) => df.aid.length >= prefix.length && equalBytes(df.aid.subarray(0, prefix.length), prefix));
  }

  /** Make `df` current: no current EF, security status cleared. */
  enterDf(df: DedicatedFile): void {
    this.#currentDf = df;
    this.#currentEf = undefined;
    this.#verified.clear();
  }

  /** The EF `fid` of the current DF (or of the MF level), without selecting it. */
  findEf(fid: number): ElementaryFile | undefined {
    return (this.#currentDf?.efs ?? this.#mfEfs).get(fid);
  }

  /** Select EF `fid` in the current DF; on a miss nothing changes. */
  selectEf(fid: number): ElementaryFile | undefined {
    const ef = this.findEf(fid);
    if (ef !== undefined) this.#currentEf = ef;
    return ef;
  }

  /** Whether the PIN IEF `fid` is verified in the current DF. */
  isVerified(fid: number): boolean {
    return this.#verified.has(fid);
  }

  /** Record a successful VERIFY. */
  markVerified(fid: number): void {
    this.#verified.add(fid);
  }

  /** Drop one PIN's verified state (a failed VERIFY). */
  clearVerified(fid: number): void {
    this.#verified.delete(fid);
  }

  /** Whether `rule` is satisfied by the current security status. */
  allows(rule: AccessRule): boolean {
    switch (rule.kind) {
      case 'always':
        return true;
      case 'never':
        return false;
      case 'pin':
        return rule.anyOf.some((fid) => this.#verified.has(fid));
    }
  }
}
