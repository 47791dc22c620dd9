/** describeError / describeReason: exact texts, exhaustiveness, and no data from messages. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  CardBusyError,
  CardRemovedError,
  FileNotFoundError,
  InvalidArgumentError,
  MynacardError,
  PcscServiceError,
  PinBlockedError,
  PinIncorrectError,
  PinRetryGuardError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
  describeError,
  describeReason,
  type AuthenticationReason,
  type ChainReason,
  type CmsReason,
  type IntegrityReason,
  type PdfReason,
  type TimestampReason,
  type MynacardErrorCode,
  type RawSignatureReason,
  type RevocationUnknownReason,
  type TlvErrorCode,
  type VerificationReason,
} from '../../src/index.js';
import { CardApNotInstalledError, CardApValueTooLargeError } from '../../src/aps/card-ap/index.js';
import type { CcidErrorCode } from '../../src/webusb/index.js';
import type { ReplayErrorCode } from '../../src/testing/index.js';
import { ERROR_TEXTS } from '../../src/messages/error-texts.js';
import { REASON_TEXTS } from '../../src/messages/reason-texts.js';

const SRC = resolve(import.meta.dirname, '../../src');

describe('describeError', () => {
  test('wrong PIN with 2 tries left (the issue text)', () => {
    const ja = describeError(new PinIncorrectError(2, 'VERIFY'), 'ja');
    expect(ja).toEqual({
      code: 'pin-incorrect',
      message: '暗証番号が違います。あと2回間違えるとロックされます。',
      action: 'ロックの解除はお住まいの市区町村の窓口で行います。',
      text: '暗証番号が違います。あと2回間違えるとロックされます。ロックの解除はお住まいの市区町村の窓口で行います。',
    });
    expect(describeError(new PinIncorrectError(2), 'en').text).toBe(
      'The PIN is incorrect. 2 more wrong entries will lock it. A locked PIN is reset at the municipal office (市区町村の窓口) where the cardholder lives.',
    );
    expect(describeError(new PinIncorrectError(1), 'en').message).toBe('The PIN is incorrect. 1 more wrong entry will lock it.');
  });

  test('the secret can be named', () => {
    expect(describeError(new PinIncorrectError(4), 'ja', { secret: '署名用電子証明書のパスワード' }).message).toBe(
      '署名用電子証明書のパスワードが違います。あと4回間違えるとロックされます。',
    );
  });

  test('blocked PIN, guard, card removed, reader, PC/SC service, timeout, busy, wrong card', () => {
    expect(describeError(new PinBlockedError(), 'ja').text).toBe(
      '暗証番号はロックされています。ロックの解除はお住まいの市区町村の窓口で行います。',
    );
    expect(describeError(new PinRetryGuardError(1), 'ja').message).toBe(
      '暗証番号は、あと1回間違えるとロックされます。そのため、カードには送っていません。',
    );
    expect(describeError(new CardRemovedError(), 'ja').text).toBe(
      'カードがリーダーから離れました。カードをリーダーに置き直して、もう一度操作してください。',
    );
    expect(describeError(new CardRemovedError(), 'en').text).toBe(
      'The card was removed from the reader. Place the card on the reader again and retry.',
    );
    expect(describeError(new ReaderUnavailableError('x'), 'en').message).toBe('The card reader is missing or cannot be used.');
    expect(describeError(new PcscServiceError('x'), 'ja').message).toBe('カードリーダーを使うためのサービス（PC/SC）が動いていません。');
    expect(describeError(new TimeoutError('x'), 'en').message).toBe('The card did not answer in time.');
    expect(describeError(new CardBusyError('x'), 'ja').message).toBe('別のアプリがカードを使っています。');
    expect(describeError(new FileNotFoundError('SELECT'), 'en').action).toBe('Check that it is a My Number Card.');
  });

  test('card AP errors use the area and the sizes', () => {
    expect(describeError(new CardApNotInstalledError('x', 'regional'), 'ja').message).toContain('転出すると自動的に削除');
    expect(describeError(new CardApNotInstalledError('x', 'extension'), 'ja').message).toContain('転出しても残る');
    expect(describeError(new CardApValueTooLargeError(16, 20, 'f'), 'en').message).toBe(
      'The value is too large (20 bytes, at most 16). Nothing was written to the card.',
    );
  });

  test('never echoes the message, a cause, or a custom code', () => {
    const secret = '1234 123456789018 由利　花子';
    for (const error of [
      new InvalidArgumentError(secret),
      new TransportError(secret, { cause: new Error(secret), code: 'my-transport-code' }),
      new MynacardError(secret, secret),
      new Error(secret),
      secret,
    ]) {
      for (const locale of ['ja', 'en'] as const) {
        const d = describeError(error, locale);
        expect(JSON.stringify(d)).not.toMatch(/1234|123456789018|由利/);
      }
    }
    expect(describeError(new TransportError('x', { code: 'my-transport-code' }), 'en')).toMatchObject({
      code: 'my-transport-code',
      message: 'An unexpected error occurred.',
    });
    expect(describeError(new Error('x'), 'ja').code).toBe('internal');
  });

  test('every code has a Japanese and an English text', () => {
    const params = [{}, { remaining: 2, area: 'regional' }];
    for (const code of Object.keys(ERROR_TEXTS)) {
      const error = new MynacardError(code, 'x');
      for (const extra of params) {
        Object.assign(error, extra);
        const ja = describeError(error, 'ja');
        const en = describeError(error, 'en');
        expect(ja.code).toBe(code);
        expect(ja.message, code).toMatch(/[ぁ-んァ-ン一-龥]/);
        expect(ja.message.endsWith('。'), code).toBe(true);
        expect(en.message, code).toMatch(/^[A-Z].*\.$/);
        expect(ja.action === '' || ja.action.endsWith('。'), code).toBe(true);
      }
    }
  });

  test('the union covers the codes of every error family', () => {
    expectTypeOf<TlvErrorCode>().toExtend<MynacardErrorCode>();
    expectTypeOf<CcidErrorCode>().toExtend<MynacardErrorCode>();
    expectTypeOf<ReplayErrorCode>().toExtend<MynacardErrorCode>();
    expectTypeOf<keyof typeof ERROR_TEXTS>().toEqualTypeOf<MynacardErrorCode>();
  });

  test('every code literal thrown in src/ is in MynacardErrorCode', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const full = join(dir, name);
        return statSync(full).isDirectory() ? files(full) : name.endsWith('.ts') ? [full] : [];
      });
    const found = new Set<string>();
    for (const file of files(SRC)) {
      if (file.includes(`${join('src', 'cli')}`)) continue; // the CLI's own codes are not the SDK's
      const text = readFileSync(file, 'utf8');
      // `{ code: 'x' }` options of the error constructors and `super('x', …)` of MynacardError subclasses.
      for (const m of text.matchAll(/new (?:TransportError|CryptoError|CardDataError)\([^;]*?code: '([a-z0-9-]+)'/gs)) found.add(m[1]!);
      for (const m of text.matchAll(/super\(\s*'([a-z0-9-]+)'/g)) found.add(m[1]!);
      for (const m of text.matchAll(/\{ code: '([a-z0-9-]+)', meaning/g)) found.add(m[1]!);
      for (const m of text.matchAll(/\[CCID_ERROR\.\w+, \['([a-z0-9-]+)'/g)) found.add(m[1]!);
    }
    expect(found.size).toBeGreaterThan(40);
    const missing = [...found].filter((code) => !Object.hasOwn(ERROR_TEXTS, code));
    expect(missing).toEqual([]);
  });
});

describe('describeReason', () => {
  test('chain, CMS and authentication reasons', () => {
    expect(describeReason('no-issuer-found', 'ja').message).toBe(
      '電子証明書の発行元を確認できません（信頼する発行元が発行したものではありません）。',
    );
    expect(describeReason('leaf-expired', 'ja').text).toBe(
      '電子証明書の有効期限が切れています。電子証明書の更新は、お住まいの市区町村の窓口で行います。',
    );
    expect(describeReason('content-missing', 'en').text).toBe(
      'The signed data is not included (the signature and the data are separate files). Provide the signed data file together with the signature.',
    );
    expect(describeReason('origin-mismatch', 'ja').message).toBe('別のサイト（サービス）あての認証の応答です。');
    expect(describeReason('signature-invalid', 'en').code).toBe('signature-invalid');
    expect(describeReason('something-new', 'en')).toMatchObject({ code: 'something-new', message: 'The verification failed.' });
  });

  test('every reason code has a Japanese and an English text', () => {
    expectTypeOf<keyof typeof REASON_TEXTS>().toEqualTypeOf<VerificationReason>();
    expectTypeOf<
      | ChainReason
      | CmsReason
      | AuthenticationReason
      | RawSignatureReason
      | IntegrityReason
      | RevocationUnknownReason
      | PdfReason
      | TimestampReason
    >().toEqualTypeOf<VerificationReason>();
    const codes = Object.keys(REASON_TEXTS);
    expect(codes.length).toBeGreaterThanOrEqual(45);
    for (const code of codes) {
      const ja = describeReason(code, 'ja');
      const en = describeReason(code, 'en');
      expect(ja.message, code).toMatch(/[ぁ-んァ-ン一-龥]/);
      expect(ja.message.endsWith('。'), code).toBe(true);
      expect(en.message, code).toMatch(/^[A-Z].*\.$/);
      expect(ja.action.length, code).toBeGreaterThan(0);
      expect(en.action.length, code).toBeGreaterThan(0);
    }
  });
});
