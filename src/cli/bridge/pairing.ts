/**
 * Pairing and tokens of the bridge (docs/bridge.md, rules 4 and 5): a 6-digit one-time code
 * shown in the bridge's terminal, valid 5 minutes, at most one new code every 2 s; wrong codes void it and lock pairing for a
 * while; a paired page gets a 256-bit token, kept as its SHA-256 hash, bound to its origin
 * (optionally in a 0600 file). Codes and tokens are never logged.
 * @packageDocumentation
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { WireError } from './wire.js';

/** Options of {@link Pairing}. */
export interface PairingOptions {
  /** Show a new code to the person at the counter (the bridge's stderr). */
  readonly showCode: (code: string, validMs: number) => void;
  /** How long a code is valid. Default 5 minutes. */
  readonly codeTtlMs?: number | undefined;
  /** Wrong codes before pairing is locked. Default 5. */
  readonly maxWrongCodes?: number | undefined;
  /** How long pairing stays locked. Default 60 s. */
  readonly lockoutMs?: number | undefined;
  /** Keep token hashes in this file (mode 0600) across restarts. */
  readonly tokenFile?: string | undefined;
  /** Shortest time between two new codes (a page cannot flood the terminal). Default 2 s. */
  readonly codeIntervalMs?: number | undefined;
  /** Clock (tests). */
  readonly now?: (() => number) | undefined;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The pairing state of one bridge. */
export class Pairing {
  readonly #options: PairingOptions;
  readonly #now: () => number;
  /** `origin\thash` of every token. */
  readonly #tokens = new Set<string>();
  #code: { readonly digits: string; readonly expires: number } | undefined;
  #wrong = 0;
  #lockedUntil = 0;
  #lastCodeAt = Number.NEGATIVE_INFINITY;

  constructor(options: PairingOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    if (options.tokenFile !== undefined) {
      let text = '';
      try {
        text = readFileSync(options.tokenFile, 'utf8');
      } catch {
        // no file yet
      }
      for (const line of text.split('\n')) if (/^\S+\t[0-9a-f]{64}$/.test(line)) this.#tokens.add(line);
    }
  }

  /** Make and show a new code (the old one is void). @throws WireError `bridge-limit` while locked */
  start(): void {
    this.#assertUnlocked();
    const now = this.#now();
    if (now - this.#lastCodeAt < (this.#options.codeIntervalMs ?? 2_000)) {
      throw new WireError('bridge-limit', 'a pairing code was just shown: wait a moment');
    }
    this.#lastCodeAt = now;
    const ttl = this.#options.codeTtlMs ?? 300_000;
    const digits = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.#code = { digits, expires: this.#now() + ttl };
    this.#options.showCode(`${digits.slice(0, 3)} ${digits.slice(3)}`, ttl);
  }

  /**
   * Check `code` and, when right, return a new token for `origin` (the code is used up).
   * @throws WireError `bridge-pairing` (wrong or expired), `bridge-limit` (locked)
   */
  pair(code: unknown, origin: string): string {
    this.#assertUnlocked();
    const typed = typeof code === 'string' ? code.replace(/\s+/g, '') : '';
    const current = this.#code;
    if (current === undefined || current.expires <= this.#now()) {
      this.#code = undefined;
      throw new WireError('bridge-pairing', 'no valid pairing code: ask for a new one');
    }
    const right = /^\d{6}$/.test(typed) && timingSafeEqual(Buffer.from(typed), Buffer.from(current.digits));
    if (!right) {
      this.#wrong++;
      if (this.#wrong >= (this.#options.maxWrongCodes ?? 5)) {
        this.#code = undefined;
        this.#wrong = 0;
        this.#lockedUntil = this.#now() + (this.#options.lockoutMs ?? 60_000);
        throw new WireError('bridge-limit', 'too many wrong pairing codes: pairing is locked for a while');
      }
      throw new WireError('bridge-pairing', 'wrong pairing code');
    }
    this.#code = undefined;
    this.#wrong = 0;
    const token = randomBytes(32).toString('base64url');
    this.#tokens.add(`${origin}\t${sha256(token)}`);
    this.#save();
    return token;
  }

  /** Whether `token` was given to a page of `origin`. */
  check(token: unknown, origin: string): boolean {
    return typeof token === 'string' && token.length <= 100 && this.#tokens.has(`${origin}\t${sha256(token)}`);
  }

  #assertUnlocked(): void {
    if (this.#now() < this.#lockedUntil) throw new WireError('bridge-limit', 'pairing is locked after too many wrong codes');
  }

  #save(): void {
    const file = this.#options.tokenFile;
    if (file === undefined) return;
    writeFileSync(file, [...this.#tokens].join('\n') + '\n', { mode: 0o600 });
  }
}
