/**
 * signCms and authenticate VERIFY twice (certificate read and signature, on the card or a
 * smartphone): a provider is asked once and its answer serves both; bytes are copied for each
 * use and the caller's buffer is wiped.
 */
import { describe, expect, it } from 'vitest';
import { MyNumberCard } from '../../src/aps/card.js';
import { authenticate, createChallenge } from '../../src/crypto/authenticate.js';
import { signCms } from '../../src/crypto/cms.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { reusableSecret, type SecretRequest } from '../../src/secret.js';
import { DEFAULT_AUTH_PIN, DEFAULT_SIGN_PASSWORD, VirtualMyNumberCard } from '../../src/testing/index.js';

const withData = (vc: VirtualMyNumberCard): string[] =>
  vc.log.filter((e) => e.verifyWithData === true).map((e) => Array.from(e.command.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase());

describe('one secret input for two VERIFYs', () => {
  it('signCms: a provider is asked once; both VERIFYs carry its answer', async () => {
    const vc = await VirtualMyNumberCard.create();
    const card = await MyNumberCard.connect(vc);
    vc.clearLog();
    const requests: SecretRequest[] = [];
    const cms = await signCms(card, new TextEncoder().encode('申請書'), {
      pin: async (request) => {
        requests.push(request);
        return DEFAULT_SIGN_PASSWORD;
      },
    });
    expect(cms[0]).toBe(0x30);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ kind: 'sign-password', tries: { state: 'tries', remaining: 5, max: 5 } });
    expect(withData(vc)).toEqual(['0020009B', '0020009B']);
    expect(vc.pinState('sign').remaining).toBe(5);
    await card.close();
  });

  it('authenticate: bytes are accepted, copied for each use and the caller’s buffer is wiped', async () => {
    const vc = await VirtualMyNumberCard.create();
    const card = await MyNumberCard.connect(vc);
    const pin = new TextEncoder().encode(DEFAULT_AUTH_PIN);
    const result = await authenticate(card, { pin, origin: 'https://login.example.jp', challenge: createChallenge() });
    expect(result.signature.length).toBe(256);
    expect(pin.every((b) => b === 0)).toBe(true);
    await expect(
      authenticate(card, { pin: 1234 as never, origin: 'https://login.example.jp', challenge: createChallenge() }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await card.close();
  });

  it('reusableSecret: a provider answer is kept as a copy and wiped at the end', async () => {
    const answer = new TextEncoder().encode('1234');
    let asked = 0;
    const shared = reusableSecret(async () => {
      asked++;
      return answer;
    });
    const provider = shared.use() as (r: SecretRequest) => Promise<Uint8Array>;
    const request = {} as SecretRequest;
    const first = await provider(request);
    const second = await provider(request);
    expect(asked).toBe(1);
    expect(second).not.toBe(first);
    expect([...second]).toEqual([...answer]);
    shared.wipe();
    expect(await provider(request)).toBe(answer); // after wipe nothing is kept: the provider is asked again
    expect(asked).toBe(2);
  });
});
