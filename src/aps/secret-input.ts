/**
 * A secret input (`SecretInput`) made ready for one guarded VERIFY: a value is checked
 * and encoded at once (a typo never reaches the card), a provider is asked only once the guard
 * has read the tries, and its answer is checked the same way before it is sent.
 * @packageDocumentation
 */
import { AbortedError } from '../errors.js';
import type { SecretProvider, SecretRequest } from '../secret.js';

/** A secret ready to be sent: its bytes now (a value) or on request (a provider). */
export interface PreparedSecret {
  /**
   * The checked bytes to send. For a provider, asks it with `request` and checks its answer.
   * The caller owns the returned array and wipes it after the VERIFY.
   * @throws PinFormatError (bad answer), AbortedError, or the provider's own error
   */
  bytes(request: SecretRequest): Promise<Uint8Array>;
  /** Zero the bytes encoded in advance (idempotent; nothing to do for a provider). */
  wipe(): void;
}

/** Whether `input` is a provider rather than a value. */
export function isSecretProvider(input: unknown): input is SecretProvider {
  return typeof input === 'function';
}

/**
 * Prepare `input` with `encode` (the format check of its secret, which wipes a `Uint8Array`
 * and throws `PinFormatError`). A value is encoded now, so a malformed one throws before
 * anything is sent; a provider's answer is encoded when it comes.
 */
export function prepareSecret(input: unknown, encode: (value: unknown) => Uint8Array): PreparedSecret {
  if (isSecretProvider(input)) {
    return {
      async bytes(request) {
        const answer: unknown = await input(request);
        if (request.signal?.aborted === true) {
          if (answer instanceof Uint8Array) answer.fill(0);
          throw new AbortedError('The operation was aborted while the secret was asked for');
        }
        return encode(answer);
      },
      wipe() {},
    };
  }
  const encoded = encode(input);
  return {
    bytes: () => Promise.resolve(encoded),
    wipe: () => encoded.fill(0),
  };
}

/** Prepare every input (all checked before anything is sent); on a failure, wipe those already prepared. */
export function prepareAll(entries: readonly (() => PreparedSecret)[]): PreparedSecret[] {
  const prepared: PreparedSecret[] = [];
  try {
    for (const make of entries) prepared.push(make());
  } catch (error) {
    for (const p of prepared) p.wipe();
    throw error;
  }
  return prepared;
}
