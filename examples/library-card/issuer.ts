/**
 * The library's side of issuer authentication (発行者認証). The SDK never holds this key: it
 * hands the `auth` hook a challenge exchange, and the hook asks whoever holds the key.
 *
 * Here the "server" is a function with the TEST scheme of the virtual card
 * (HMAC-SHA-256(key, challenge ‖ AID), first 16 bytes — see `testCardApCryptogram`). A real
 * card AP's scheme and keys come from its installer and J-LIS; the hook would POST the
 * challenge to the city's server (which asks its HSM) and send back what it answers.
 */
import type { CardApIssuerAuth } from 'mynacard/card-ap';
import { testCardApCryptogram } from 'mynacard/testing';

/** What the city's server answers: the cryptogram for a challenge (the key never leaves it). */
export type IssuerServer = (request: { readonly aid: Uint8Array; readonly challenge: Uint8Array }) => Promise<Uint8Array>;

/** A stand-in for the city's server, holding the test key of the virtual card. */
export function testIssuerServer(key: Uint8Array): IssuerServer {
  return async ({ aid, challenge }) => testCardApCryptogram(key, challenge, aid);
}

/** The `auth` hook: GET CHALLENGE on the card, cryptogram from the server, EXTERNAL AUTHENTICATE. */
export function issuerAuth(server: IssuerServer): CardApIssuerAuth {
  return async (exchange) => {
    const challenge = await exchange.getChallenge(8);
    const cryptogram = await server({ aid: exchange.aid, challenge });
    await exchange.externalAuthenticate(cryptogram);
  };
}
