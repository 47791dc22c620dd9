/**
 * `openCardAp`: a typed session with one free-area card AP.
 *
 * Every operation is one atomic command sequence on the card (queued behind the session's
 * other operations), starting with SELECT of the card AP. PIN-protected and issuer-authenticated
 * operations end by selecting the card AP again, which drops the security status (card-facts §5
 * "Security state"), like the rest of the SDK. VERIFY is always guarded (tries queried first,
 * refused at one try left unless `allowLastTry`) and never retried.
 *
 * `write` = (VERIFY) → SELECT EF → READ the previous bytes → (issuer authentication) → UPDATE
 * BINARY → READ back → compare; on a mismatch the previous bytes are written back and
 * {@link CardApWriteVerifyError} is thrown. Values that do not encode or do not fit are refused
 * before anything is sent.
 * @packageDocumentation
 */
import type { ApduPort } from '../../apdu/channel.js';
import { StatusWordError } from '../../apdu/status.js';
import { equalBytes, toHex } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import type { TriesState } from '../../secret.js';
import { guardedVerify, queryTries } from '../pin.js';
import { prepareSecret, type PreparedSecret as PreparedInput } from '../secret-input.js';
import { runIssuerAuth, type CardApIssuerAuth } from './auth.js';
import {
  encodeCardApSecret,
  readRange,
  secretReference,
  selectCardAp,
  selectCardApEf,
  updateRange,
  type RangeOptions,
  type UpdateProgress,
} from './commands.js';
import {
  checkCardApDescriptor,
  type CardApDescriptor,
  type CardApFileName,
  type CardApFileSpec,
  type CardApFileValue,
  type CardApSecretName,
  type CardApSecretSpec,
  type CardApWritableFileName,
} from './descriptor.js';
import {
  CardApAccessError,
  CardApCodecError,
  CardApSelectionError,
  CardApValueTooLargeError,
  CardApWriteVerifyError,
} from './errors.js';
import { checkCardApHost, runOnHost, type CardApHost } from './host.js';
import { probeWith } from './probe.js';
import type {
  CardApCallOptions,
  CardApSession,
  CardApVerifyOptions,
  CardApWriteOptions,
  OpenCardApOptions,
} from './session-types.js';
import { fillerOf } from './tlv-record.js';

interface PreparedSecret {
  readonly name: string;
  readonly spec: CardApSecretSpec;
  readonly secret: PreparedInput;
}

function attribute(error: unknown, file: string): unknown {
  return error instanceof CardApCodecError || error instanceof CardApValueTooLargeError ? error.inFile(file) : error;
}

class CardApSessionImpl<D extends CardApDescriptor> implements CardApSession<D> {
  readonly descriptor: D;
  readonly #host: CardApHost;
  readonly #auth: CardApIssuerAuth | undefined;

  constructor(host: CardApHost, descriptor: D, auth: CardApIssuerAuth | undefined) {
    this.#host = host;
    this.descriptor = descriptor;
    this.#auth = auth;
  }

  #file(name: string): CardApFileSpec {
    if (typeof name !== 'string' || !Object.hasOwn(this.descriptor.files, name)) {
      throw new InvalidArgumentError(`The card AP "${this.descriptor.name}" has no file named "${String(name)}"`);
    }
    return this.descriptor.files[name]!;
  }

  #secretSpec(name: string): CardApSecretSpec {
    if (typeof name !== 'string' || !Object.hasOwn(this.descriptor.secrets, name)) {
      throw new InvalidArgumentError(`The card AP "${this.descriptor.name}" has no secret named "${String(name)}"`);
    }
    return this.descriptor.secrets[name]!;
  }

  /** Validate and encode every secret `names` needs, before anything is sent. */
  #prepareSecrets(file: string, names: readonly string[], options: CardApCallOptions | undefined): PreparedSecret[] {
    const prepared: PreparedSecret[] = [];
    try {
      const distinct = [...new Set(names)];
      for (const name of distinct) {
        const spec = this.#secretSpec(name);
        const given = options?.secrets as Readonly<Record<string, unknown>> | undefined;
        // `pin` stands for a secret only when the operation needs just one: sending one value to
        // two different secrets could spend a try of the wrong one.
        const value = given?.[name] ?? (distinct.length === 1 ? options?.pin : undefined);
        if (value === undefined) {
          throw new CardApAccessError(
            'secret-required',
            file,
            distinct.length === 1
              ? `needs the ${spec.label ?? `secret "${name}"`} (pass pin or secrets)`
              : `needs ${distinct.length} different secrets: pass each in secrets (${distinct.join(', ')})`,
          );
        }
        prepared.push({ name, spec, secret: this.#prepare(name, spec, value) });
      }
    } catch (error) {
      for (const p of prepared) p.secret.wipe();
      throw error;
    }
    return prepared;
  }

  #prepare(name: string, spec: CardApSecretSpec, value: unknown): PreparedInput {
    return prepareSecret(value, (answer) => encodeCardApSecret(this.descriptor, name, spec, answer));
  }

  /**
   * Guarded VERIFY of each prepared secret (the AP is selected). `state.secured` is set as soon
   * as a VERIFY carrying a value goes out. Wipes every secret.
   */
  async #verifyAll(
    port: ApduPort,
    secrets: readonly PreparedSecret[],
    allowLastTry: boolean | undefined,
    signal: AbortSignal | undefined,
    state: { secured: boolean },
  ): Promise<void> {
    try {
      for (const s of secrets) {
        const ref = await secretReference(port, this.descriptor, s.name, s.spec);
        await guardedVerify(port, ref, s.secret, { allowLastTry, signal, onSend: () => (state.secured = true) });
      }
    } finally {
      for (const s of secrets) s.secret.wipe();
    }
  }

  /** Drop the security status: SELECT the card AP again. Errors are swallowed (a removed card has none left). */
  async #drop(port: ApduPort): Promise<void> {
    try {
      await selectCardAp(port, this.descriptor);
    } catch {
      // The card is gone or the card AP vanished: nothing is left to drop.
    }
  }

  /**
   * The common frame: SELECT the AP, VERIFY `secrets`, run `body`, and drop the security status
   * when anything may have set it (a VERIFY with a value went out, or `body` set `secured`
   * before issuer authentication).
   */
  async #secured<T>(
    signal: AbortSignal | undefined,
    secrets: PreparedSecret[],
    allowLastTry: boolean | undefined,
    body: (port: ApduPort, state: { secured: boolean }) => Promise<T>,
    writes = false,
  ): Promise<T> {
    try {
      return await runOnHost(this.#host, signal, async (port) => {
        const state = { secured: false };
        try {
          const selection = await selectCardAp(port, this.descriptor);
          // Without a DF name the card may have selected another application (partial DF-name
          // matching): no secret, write or authentication goes there unless the descriptor says so.
          if (selection === 'unverified' && (secrets.length > 0 || writes) && this.descriptor.allowUnverifiedSelect !== true) {
            const d = this.descriptor;
            throw new CardApSelectionError('df-name-missing', d.name, toHex(d.aid).toUpperCase());
          }
          if (secrets.length > 0) await this.#verifyAll(port, secrets, allowLastTry, signal, state);
          return await body(port, state);
        } finally {
          if (state.secured) await this.#drop(port);
        }
      });
    } finally {
      for (const s of secrets) s.secret.wipe(); // also when the run never started (aborted, closed)
    }
  }

  /** Bytes of the file a codec occupies: its size (fixed) or the whole file (TLV record). */
  #extent(spec: CardApFileSpec): number {
    return spec.codec.layout === 'fixed' ? spec.codec.size! : spec.size;
  }

  #rangeOptions(name: string, spec: CardApFileSpec, verb: string): RangeOptions {
    return { context: `${verb} "${name}" of card AP "${this.descriptor.name}"`, sensitive: spec.sensitive !== false };
  }

  async #readBytes(name: string, length: number, options: CardApCallOptions | undefined): Promise<Uint8Array> {
    const spec = this.#file(name);
    const secrets = this.#prepareSecrets(name, spec.read === 'free' ? [] : [spec.read.secret], options);
    return this.#secured(options?.signal, secrets, options?.allowLastTry, async (port) => {
      await selectCardApEf(port, spec.fid, `SELECT "${name}" of card AP "${this.descriptor.name}"`);
      return readRange(port, length, this.#rangeOptions(name, spec, 'READ'));
    });
  }

  async read<K extends CardApFileName<D>>(file: K, options?: CardApCallOptions<CardApSecretName<D>>): Promise<CardApFileValue<D, K>> {
    const spec = this.#file(file);
    const bytes = await this.#readBytes(file, this.#extent(spec), options);
    try {
      return spec.codec.decode(bytes) as CardApFileValue<D, K>;
    } catch (error) {
      throw attribute(error, file);
    } finally {
      if (spec.sensitive !== false) bytes.fill(0);
    }
  }

  readRaw(file: CardApFileName<D>, options?: CardApCallOptions<CardApSecretName<D>>): Promise<Uint8Array> {
    return this.#readBytes(file, this.#file(file).size, options);
  }

  /** The bytes `value` occupies in the file (a TLV record is padded with its filler). */
  #image(name: string, spec: CardApFileSpec, value: unknown): Uint8Array {
    let encoded: Uint8Array;
    try {
      encoded = spec.codec.encode(value);
    } catch (error) {
      throw attribute(error, name);
    }
    if (encoded.length > spec.size) throw new CardApValueTooLargeError(spec.size, encoded.length, name);
    if (spec.codec.layout !== 'tlv') return encoded;
    const image = new Uint8Array(spec.size).fill(fillerOf(spec.codec));
    image.set(encoded);
    encoded.fill(0);
    return image;
  }

  async write<K extends CardApWritableFileName<D>>(
    file: K,
    value: CardApFileValue<D, K>,
    options?: CardApWriteOptions<CardApSecretName<D>>,
  ): Promise<void> {
    const spec = this.#file(file);
    const access = spec.write;
    if (access === 'never') throw new CardApAccessError('not-writable', file, 'the descriptor says this file is never written');
    const auth = access === 'issuer' ? (options?.auth ?? this.#auth ?? this.descriptor.auth) : undefined;
    if (access === 'issuer' && auth === undefined) {
      throw new CardApAccessError('auth-required', file, 'needs issuer authentication: give the descriptor, the session or the call an auth hook');
    }
    const image = this.#image(file, spec, value);
    const names: string[] = [];
    if (spec.read !== 'free') names.push(spec.read.secret);
    if (typeof access === 'object') names.push(access.secret);
    let secrets: PreparedSecret[];
    try {
      secrets = this.#prepareSecrets(file, names, options);
    } catch (error) {
      image.fill(0);
      throw error;
    }
    const sensitive = spec.sensitive !== false;
    const read = this.#rangeOptions(file, spec, 'READ');
    const update = this.#rangeOptions(file, spec, 'UPDATE BINARY');
    const selectContext = `SELECT "${file}" of card AP "${this.descriptor.name}"`;
    const buffers: Uint8Array[] = [image];
    try {
      await this.#secured(options?.signal, secrets, options?.allowLastTry, async (port, state) => {
        await selectCardApEf(port, spec.fid, selectContext);
        const previous = await readRange(port, image.length, read);
        buffers.push(previous);
        if (auth !== undefined) {
          state.secured = true;
          await runIssuerAuth(port, auth, {
            cardAp: this.descriptor.name,
            area: this.descriptor.area,
            aid: this.descriptor.aid,
            file,
          });
          await selectCardApEf(port, spec.fid, selectContext); // the hook may have selected another EF
        }
        const progress: UpdateProgress = { written: 0 };
        try {
          await updateRange(port, image, progress, update);
        } catch (error) {
          // Part of the new value may be on the card: put the previous bytes back (best effort).
          if (progress.written > 0 && error instanceof StatusWordError) await this.#restore(port, previous, update, read);
          throw error;
        }
        const back = await readRange(port, image.length, read);
        buffers.push(back);
        if (!equalBytes(back, image)) {
          const restored = await this.#restore(port, previous, update, read);
          throw new CardApWriteVerifyError(file, restored);
        }
      }, true);
    } finally {
      if (sensitive) for (const b of buffers) b.fill(0);
    }
  }

  /** Write `previous` back and read it back; true when the file holds it again. Never throws. */
  async #restore(port: ApduPort, previous: Uint8Array, update: RangeOptions, read: RangeOptions): Promise<boolean> {
    try {
      await updateRange(port, previous, { written: 0 }, update);
      const check = await readRange(port, previous.length, read);
      const same = equalBytes(check, previous);
      if (update.sensitive) check.fill(0);
      return same;
    } catch {
      return false;
    }
  }

  async remainingTries(secret: CardApSecretName<D>, options?: { readonly signal?: AbortSignal }): Promise<TriesState> {
    const spec = this.#secretSpec(secret);
    return runOnHost(this.#host, options?.signal, async (port) => {
      await selectCardAp(port, this.descriptor);
      return queryTries(port, await secretReference(port, this.descriptor, secret, spec));
    });
  }

  async verify(secret: CardApSecretName<D>, options: CardApVerifyOptions): Promise<void> {
    const spec = this.#secretSpec(secret);
    const prepared = [{ name: secret, spec, secret: this.#prepare(secret, spec, options?.pin) }];
    await this.#secured(options?.signal, prepared, options?.allowLastTry, async () => undefined);
  }

  async isInstalled(options?: { readonly signal?: AbortSignal }): Promise<boolean> {
    return (await probeWith(this.#host, [this.descriptor], options?.signal)).length === 1;
  }
}

/**
 * Open a typed session with a free-area card AP. Nothing is sent until the first operation.
 *
 * ```ts
 * const library = openCardAp(card, libraryCard);
 * const member = await library.read('memberNumber');       // string, typed from the descriptor
 * await library.write('loans', { limit: 10 }, { pin });    // verified by reading back
 * ```
 *
 * @param host - a `MyNumberCard`, or `{ channel }` over an `ApduChannel`
 * @throws InvalidArgumentError for an invalid descriptor or target
 */
export function openCardAp<D extends CardApDescriptor>(
  host: CardApHost,
  descriptor: D,
  options: OpenCardApOptions = {},
): CardApSession<D> {
  checkCardApHost(host);
  checkCardApDescriptor(descriptor);
  if (options.auth !== undefined && typeof options.auth !== 'function') throw new InvalidArgumentError('auth must be a function');
  return new CardApSessionImpl(host, descriptor, options.auth);
}
