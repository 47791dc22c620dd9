/**
 * 図書館カード on the My Number Card: register a member (the library writes the member number
 * and the borrowing limit after issuer authentication), check a book out (the counter reads
 * them, the kiosk checks the member's PIN), and the moved-out case (転出: the regional card AP
 * is gone, the member is told what to do).
 *
 *   npx tsx examples/library-card/index.ts
 *
 * Runs on the virtual card: a real card gets its card AP from J-LIS's installation system
 * (カードAP搭載システム), which is not public — see the README.
 */
import type { SecretInput } from 'mynacard';
import { ApduChannel } from 'mynacard/apdu';
import { CardApNotInstalledError, openCardAp, type CardApHost, type CardApSession } from 'mynacard/card-ap';
import { VirtualMyNumberCard } from 'mynacard/testing';
import { libraryCardAp, type LibraryCardAp } from './descriptor.js';
import { issuerAuth, testIssuerServer, type IssuerServer } from './issuer.js';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

/** A library member as the counter sees it. */
export interface Member {
  readonly memberNumber: string;
  readonly limit: number;
  readonly validUntil: string | undefined;
}

/** What a check-out finds: the member, or why the card cannot be used here any more. */
export type CheckOut =
  | { readonly status: 'ok'; readonly member: Member; readonly pinChecked: boolean }
  | { readonly status: 'moved-out'; readonly message: string };

/**
 * Open the library card AP. `openCardAp` takes a `MyNumberCard` session (or `{ channel }` over a
 * bare APDU channel).
 */
export function openLibrary(target: CardApHost, server: IssuerServer): CardApSession<LibraryCardAp> {
  return openCardAp(target, libraryCardAp(issuerAuth(server)));
}

/** Register (or renew) a member: two writes, each verified by reading it back. */
export async function register(library: CardApSession<LibraryCardAp>, member: Member): Promise<void> {
  await library.write('memberNumber', member.memberNumber);
  await library.write('borrowing', {
    limit: member.limit,
    ...(member.validUntil === undefined ? {} : { validUntil: member.validUntil }),
  });
}

/**
 * At the counter or kiosk: read the member (no PIN), optionally check the member's PIN, and
 * handle a card whose regional card AP was removed by a move to another municipality.
 */
export async function checkOut(library: CardApSession<LibraryCardAp>, pin?: SecretInput): Promise<CheckOut> {
  try {
    const memberNumber = await library.read('memberNumber');
    const borrowing = await library.read('borrowing');
    if (pin !== undefined) await library.verify('memberPin', { pin }); // throws PinIncorrectError etc.
    return {
      status: 'ok',
      member: { memberNumber, limit: borrowing.limit, validUntil: borrowing.validUntil },
      pinChecked: pin !== undefined,
    };
  } catch (error) {
    if (error instanceof CardApNotInstalledError && error.removedOnMoveOut) {
      return {
        status: 'moved-out',
        message:
          'この図書館カードは転出により失効しました。転入先の図書館で登録してください。' +
          ' (The library card AP was removed when you moved out; please register at the library of your new city.)',
      };
    }
    throw error;
  }
}

/** The whole story on the virtual card; returns what it printed. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const issuerKey = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i); // TEST key of the TEST card
  const card = await VirtualMyNumberCard.create();
  // The city installs its (empty) card AP through J-LIS; here the virtual card plays that part.
  card.installCardAp(libraryCardAp(), {}, { secrets: { memberPin: '4321' }, issuerKey });
  const library = openLibrary({ channel: new ApduChannel(card) }, testIssuerServer(issuerKey));

  await register(library, { memberNumber: '2025000123', limit: 10, validUntil: '20300331' });
  print('registered member 2025000123 (limit 10, valid until 2030-03-31)');

  const visit = await checkOut(library, '4321');
  if (visit.status === 'ok') print(`check-out: member ${visit.member.memberNumber}, up to ${visit.member.limit} books`);

  card.moveOut(); // 転出: the regional card AP disappears, extension-area ones stay
  const after = await checkOut(library);
  if (after.status === 'moved-out') print(after.message);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
