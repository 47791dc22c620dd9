/**
 * How every PIN-protected method takes its secret: a value, or a provider the SDK asks after
 * it has read the tries left (so an app can show them, and is never asked for a blocked
 * secret). Card sessions and the trust layer share these types.
 * @packageDocumentation
 */

/**
 * Which secret is asked for, as a stable identifier:
 * - `'auth-pin'` — 利用者証明用電子証明書 暗証番号;
 * - `'sign-password'` — 署名用電子証明書 パスワード;
 * - `'text-pin'` — 券面事項入力補助用 暗証番号;
 * - `'verification-a'` — 照合番号A; `'verification-b'` — 照合番号B;
 * - `'card-ap'` — a secret of a card AP of the free areas (its name is in `cardApSecret`).
 */
export type SecretRequestKind = 'auth-pin' | 'sign-password' | 'text-pin' | 'verification-a' | 'verification-b' | 'card-ap';

/** `63Cx` (x ≥ 1): tries are left. card-facts §5 */
export interface TriesLeft {
  /** Discriminant. */
  readonly state: 'tries';
  /** Tries left (1–15). */
  readonly remaining: number;
  /** The counter's maximum, when published (auth PIN 3, signing password 5, text PIN 3). */
  readonly max?: number;
}

/** `9000`: the secret is currently verified, so its counter is at its maximum. card-facts §5 */
export interface TriesVerified {
  /** Discriminant. */
  readonly state: 'verified';
  /** The counter's maximum, when published. */
  readonly max?: number;
}

/** `63C0` or `6984`: no try left; unblocking is done at the municipal office. card-facts §5 */
export interface TriesBlocked {
  /** Discriminant. */
  readonly state: 'blocked';
}

/** `6300`: the key has no retry limit. card-facts §5 [S] */
export interface TriesUnlimited {
  /** Discriminant. */
  readonly state: 'unlimited';
}

/**
 * The state of a secret's retry counter, read with an empty VERIFY that spends no try
 * (card-facts §5): {@link TriesLeft} (`63Cx`), {@link TriesVerified} (`9000`),
 * {@link TriesBlocked} (`63C0` / `6984`) or {@link TriesUnlimited} (`6300`).
 */
export type TriesState = TriesLeft | TriesVerified | TriesBlocked | TriesUnlimited;

/** What a {@link SecretProvider} is told about the secret it is asked for (never a value). */
export interface SecretRequest {
  /** Which secret (a stable identifier). */
  readonly kind: SecretRequestKind;
  /** The secret's official Japanese name, e.g. `'利用者証明用電子証明書 暗証番号'`. */
  readonly nameJa: string;
  /** An English name, e.g. `'auth PIN'`. */
  readonly nameEn: string;
  /** For `kind: 'card-ap'`: the secret's name in the card AP's descriptor. */
  readonly cardApSecret?: string;
  /**
   * `'current'` for the value the card checks (VERIFY); `'new'` for the new value of a PIN
   * change, asked right after the current one and before anything is sent with either.
   */
  readonly purpose: 'current' | 'new';
  /** The tries left as the card reported them just before (never `'blocked'`: a blocked secret is not asked for). */
  readonly tries: TriesLeft | TriesVerified | TriesUnlimited;
  /** Whether a wrong value now blocks the secret (one try left; the caller passed `allowLastTry`). */
  readonly lastTry: boolean;
  /** The call's abort signal, when it has one. */
  readonly signal?: AbortSignal;
}

/**
 * Asked by the SDK for a secret, after the card's tries were read and the last-try guard passed,
 * right before the one VERIFY that uses the answer. Never called when the secret is blocked or
 * the guard refuses. The answer is checked against the secret's format before anything is sent
 * (`PinFormatError`); a `Uint8Array` answer is wiped after use. When the provider throws, nothing
 * is sent and its error propagates unchanged (the SDK adds no value to it).
 *
 * The card session (and, on PC/SC, the reader's transaction) is held while the provider runs,
 * so that no other command reaches the card between the tries query and the VERIFY: keep it
 * to the holder's entry, and pass the call a `signal` to give up.
 */
export type SecretProvider = (request: SecretRequest) => Promise<string | Uint8Array>;

/**
 * A secret as every PIN-protected method takes it (its `pin`, `verificationA`,
 * `verificationB`, `newPin` option):
 * - a `string`;
 * - a `Uint8Array` of its ASCII bytes, wiped (filled with zeros) by the SDK after use, whatever
 *   the outcome (best effort: see `SecretValue`);
 * - a {@link SecretProvider}, called only when the card can take a try.
 */
export type SecretInput = string | Uint8Array | SecretProvider;

/** Whether `value` is a {@link SecretInput} (a string, bytes or a function). */
export function isSecretInput(value: unknown): value is SecretInput {
  return typeof value === 'string' || value instanceof Uint8Array || typeof value === 'function';
}

/**
 * One secret input for a flow that VERIFYs it more than once (a CMS signature reads the
 * certificate and then signs): bytes are handed out as fresh copies (each wiped by the SDK after
 * its use), and a provider is asked once, its answer reused for the next VERIFY. `wipe()` zeroes
 * what is kept (and the caller's bytes) when the flow ends.
 */
export function reusableSecret(input: SecretInput): { use(): SecretInput; wipe(): void } {
  if (typeof input === 'string') return { use: () => input, wipe: () => undefined };
  if (input instanceof Uint8Array) {
    const kept = input.slice();
    input.fill(0);
    return { use: () => kept.slice(), wipe: () => kept.fill(0) };
  }
  let answer: string | Uint8Array | undefined;
  const provider: SecretProvider = async (request) => {
    if (answer === undefined) {
      const given = await input(request);
      answer = given instanceof Uint8Array ? given.slice() : given;
      return given;
    }
    return answer instanceof Uint8Array ? answer.slice() : answer;
  };
  return {
    use: () => provider,
    wipe: () => {
      if (answer instanceof Uint8Array) answer.fill(0);
      answer = undefined;
    },
  };
}
