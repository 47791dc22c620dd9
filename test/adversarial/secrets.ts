/**
 * The leak scanner: every secret of the virtual holder in several encodings, and a search that
 * reports which secret appeared in which form.
 */
import { MynacardError } from '../../src/errors.js';

/** The holder's secrets for the leak scan (chosen so that none is a common hex pattern). */
export const LEAK_PINS = { auth: '7391', sign: 'QZ7X9K4W', text: '8264' } as const;
/** Wrong values used for failing calls (must not appear either). */
export const WRONG_PINS = { auth: '7390', sign: 'QZ7X9K4V', text: '8265' } as const;
/** New values of `pin change`. */
export const NEW_PINS = { auth: '5823', sign: 'MN4B8V2C', text: '9150' } as const;

/** One secret and its name. */
export interface Secret {
  readonly name: string;
  readonly value: string;
}

const hexChar = /^[0-9A-Fa-f]+$/;

function hex(bytes: Uint8Array, upper: boolean, spaced: boolean): string {
  const parts = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));
  const s = parts.join(spaced ? ' ' : '');
  return upper ? s.toUpperCase() : s;
}

/** Base64 of `bytes` at the three alignments, keeping only the characters that do not depend on neighbours. */
function base64Forms(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const padded = Uint8Array.from([...new Uint8Array(pad), ...bytes]);
    const b64 = btoa(String.fromCharCode(...padded));
    // Characters fully determined by the secret: skip those mixing the padding, and the tail group.
    const start = Math.ceil((pad * 4) / 3);
    const end = Math.floor(((pad + bytes.length) * 4) / 3);
    const inner = b64.slice(start, end);
    if (inner.length >= 6) out.push(inner);
  }
  return out;
}

/** Every form searched for: UTF-8 text, hex upper/lower with and without spaces, base64. */
export function forms(value: string): { form: string; pattern: RegExp }[] {
  const bytes = new TextEncoder().encode(value);
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const list: { form: string; pattern: RegExp }[] = [];
  // Plain text. A secret made of hex characters (a 4-digit PIN) would match by chance inside
  // hex dumps, so there it must stand alone (no hex character either side).
  list.push({
    form: 'text',
    pattern: hexChar.test(value) ? new RegExp(`(?<![0-9A-Fa-f])${escape(value)}(?![0-9A-Fa-f])`) : new RegExp(escape(value)),
  });
  for (const upper of [true, false]) {
    for (const spaced of [true, false]) {
      list.push({ form: `hex${upper ? 'U' : 'l'}${spaced ? ' spaced' : ''}`, pattern: new RegExp(escape(hex(bytes, upper, spaced))) });
    }
  }
  for (const b of base64Forms(bytes)) list.push({ form: 'base64', pattern: new RegExp(escape(b)) });
  return list;
}

/** Which secrets (and in which form) appear in `haystack`. */
export function findLeaks(haystack: string, secrets: readonly Secret[]): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    for (const f of forms(s.value)) if (f.pattern.test(haystack)) found.push(`${s.name} as ${f.form}`);
  }
  return found;
}

/** JSON with bytes as upper-case hex (so that raw bytes are searched in every hex form). */
export function dump(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return hex(v, true, false);
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[cycle]';
      seen.add(v);
    }
    return v;
  });
}

/** Everything an error exposes: name, code, message, stack, own properties, the cause chain. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e !== undefined && depth < 8; depth++) {
    if (e instanceof Error) {
      parts.push(e.name, e.message, e.stack ?? '', String(e), dump({ ...e }));
      if (e instanceof MynacardError) parts.push(e.code);
      e = e.cause;
    } else {
      parts.push(dump(e));
      break;
    }
  }
  return parts.join('\n');
}

/** Whether `needle` occurs in `haystack` (byte search). */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * The bytes a copy of a VERIFY carrying `pin` holds wherever it sits (an APDU, a T=1 I-block, a
 * CCID XfrBlock): `20 00 P2 Lc <pin>` (INS P1 P2 Lc data).
 */
export function verifyBody(p2: number, pin: string): Uint8Array {
  const data = new TextEncoder().encode(pin);
  return Uint8Array.of(0x20, 0x00, p2, data.length, ...data);
}

/**
 * Record every copy made with `slice()` of the arrays handed to {@link CopyWatch.watch}, and of
 * those copies in turn, until {@link CopyWatch.restore}: how a test sees the private copies a
 * transport keeps (its queue copy, the T=1 layer's command) without reaching into it.
 */
export interface CopyWatch {
  /** Every watched array and every copy of one, in order. */
  readonly arrays: Uint8Array[];
  watch(array: Uint8Array): void;
  restore(): void;
}

export function watchCopies(): CopyWatch {
  const watched = new WeakSet<Uint8Array>();
  const arrays: Uint8Array[] = [];
  const original = Uint8Array.prototype.slice;
  const watch = (array: Uint8Array): void => {
    if (watched.has(array)) return;
    watched.add(array);
    arrays.push(array);
  };
  Uint8Array.prototype.slice = function slice(this: Uint8Array, start?: number, end?: number) {
    const copy = original.call(this, start, end);
    if (watched.has(this)) watch(copy);
    return copy;
  } as typeof original;
  return { arrays, watch, restore: () => void (Uint8Array.prototype.slice = original) };
}
