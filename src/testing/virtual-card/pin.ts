/**
 * PIN objects (IEFs holding a secret and its retry counter) of the virtual card.
 * card-facts §5 and checklist §9 item 4.
 * @packageDocumentation
 */

/**
 * Which secret of the card. One counter each: the text-AP and face-AP 照合番号 are distinct
 * IEFs (card-facts §3.2/§3.3), so they are modelled as independent counters ([U], like the
 * independence of the three 4-digit PINs, card-facts §5).
 */
export type PinKind =
  | 'auth'
  | 'sign'
  | 'text'
  | 'textVerificationA'
  | 'textVerificationB'
  | 'faceVerificationA'
  | 'faceVerificationB'
  | 'faceBirthDate';

/** Every {@link PinKind}, in a stable order. */
export const PIN_KINDS: readonly PinKind[] = [
  'auth',
  'sign',
  'text',
  'textVerificationA',
  'textVerificationB',
  'faceVerificationA',
  'faceVerificationB',
  'faceBirthDate',
];

/** Snapshot of one PIN object, for tests. */
export interface PinState {
  /** Tries left (0 = blocked). */
  readonly remaining: number;
  /** Counter value after a correct VERIFY. */
  readonly maxTries: number;
  /** `remaining === 0`. */
  readonly blocked: boolean;
}

/** Outcome of comparing a VERIFY body. */
export type VerifyOutcome =
  | { readonly result: 'blocked' }
  | { readonly result: 'correct' }
  | { readonly result: 'wrong'; readonly remaining: number };

/** A secret stored in an IEF with its retry counter. */
export class PinObject {
  /** Counter value restored by a correct VERIFY. */
  readonly maxTries: number;
  /** Whether CHANGE REFERENCE DATA may replace the value (JPKI PINs and the text-AP PIN). */
  readonly changeable: boolean;
  /** Format a new value must have (checked by CHANGE REFERENCE DATA). */
  readonly format: RegExp;
  #value: Uint8Array;
  #remaining: number;

  constructor(options: {
    value: string;
    maxTries: number;
    remaining?: number;
    changeable?: boolean;
    format: RegExp;
  }) {
    this.maxTries = options.maxTries;
    this.changeable = options.changeable ?? false;
    this.format = options.format;
    this.#value = asciiOf(options.value);
    this.#remaining = Math.max(0, Math.min(options.remaining ?? options.maxTries, 15));
  }

  /** Tries left; 0 means blocked. */
  get remaining(): number {
    return this.#remaining;
  }

  /** State snapshot. */
  state(): PinState {
    return { remaining: this.#remaining, maxTries: this.maxTries, blocked: this.#remaining === 0 };
  }

  /**
   * Compare a VERIFY body. Blocked → nothing changes. Wrong → one try is spent. Correct →
   * the counter returns to its maximum. card-facts §5 "Lockout sequence" [C]
   */
  verify(candidate: Uint8Array): VerifyOutcome {
    if (this.#remaining === 0) return { result: 'blocked' };
    if (equalConstantTime(candidate, this.#value)) {
      this.#remaining = this.maxTries;
      return { result: 'correct' };
    }
    this.#remaining -= 1;
    return { result: 'wrong', remaining: this.#remaining };
  }

  /** Whether `candidate` (ASCII bytes) satisfies {@link format}. */
  acceptsFormat(candidate: Uint8Array): boolean {
    let text = '';
    for (const b of candidate) {
      if (b > 0x7e || b < 0x20) return false;
      text += String.fromCharCode(b);
    }
    return this.format.test(text);
  }

  /** Replace the value (CHANGE REFERENCE DATA); the counter returns to its maximum. */
  change(newValue: Uint8Array): void {
    this.#value = Uint8Array.from(newValue);
    this.#remaining = this.maxTries;
  }
}

function asciiOf(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
