/**
 * `MyNumberCard.close()` with `closeTransport: true` after the card was removed: the transport
 * is closed exactly once whatever the security-status drop does, a removal during the drop is
 * not an error (the status went with the card), another error is reported (the first one), and
 * close() is idempotent. Over a PC/SC-like transport (the virtual card behind a transaction that
 * fails like SCardBeginTransaction on a removed card) and over WebSmartCardTransport with the
 * fake `navigator.smartCard`.
 */
import { describe, expect, it, vi } from 'vitest';
import { MyNumberCard } from '../../src/aps/card.js';
import { CardRemovedError, ReaderUnavailableError, TransportError } from '../../src/errors.js';
import { FakeSmartCard, VirtualMyNumberCard } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { waitForCard } from '../../src/web-smart-card/index.js';
import { AUTH_PIN, hex, SELECT } from './helpers.js';

const DATA = new Uint8Array(32).fill(0x5a);

/**
 * A PC/SC-like transport over a virtual card: `withTransaction` begins with the card's presence
 * (SCardBeginTransaction fails with SCARD_W_REMOVED_CARD → CardRemovedError), `close` is counted.
 */
function pcscLike(
  vc: VirtualMyNumberCard,
  faults: { begin?: () => Error | undefined; close?: () => Error | undefined } = {},
): Transport & { closes: number; transactions: number } {
  const transport = {
    closes: 0,
    transactions: 0,
    transmit: (command: Uint8Array) => vc.transmit(command),
    async withTransaction<T>(fn: () => Promise<T>): Promise<T> {
      transport.transactions++;
      const injected = faults.begin?.();
      if (injected !== undefined) throw injected;
      if (!vc.present) throw new CardRemovedError('SCardBeginTransaction: the card was removed');
      return fn();
    },
    async close(): Promise<void> {
      transport.closes++;
      const injected = faults.close?.();
      if (injected !== undefined) throw injected;
      await vc.close();
    },
  };
  return transport;
}

describe('MyNumberCard.close() with a removed card (PC/SC-like transport)', () => {
  it('closes the transport exactly once and resolves: the removed card’s security status is gone anyway', async () => {
    const vc = await VirtualMyNumberCard.create();
    const transport = pcscLike(vc);
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    await card.jpki.sign('auth', DATA, { pin: AUTH_PIN, keepSecurityStatus: true });
    vc.remove();
    const transactionsBefore = transport.transactions;
    await expect(card.close()).resolves.toBeUndefined();
    expect(transport.transactions).toBe(transactionsBefore + 1); // the drop was attempted
    expect(transport.closes).toBe(1);
    expect(card.closed).toBe(true);
    // Idempotent: nothing more is done, nothing thrown.
    await card.close();
    await card[Symbol.asyncDispose]();
    expect(transport.closes).toBe(1);
    expect(transport.transactions).toBe(transactionsBefore + 1);
    // Later operations reject with session-closed, not with the removal.
    await expect(card.jpki.readCertificate('auth')).rejects.toMatchObject({ name: 'TransportError', code: 'session-closed' });
  });

  it('also without a held security status, and with concurrent close() calls', async () => {
    const vc = await VirtualMyNumberCard.create();
    const transport = pcscLike(vc);
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    vc.remove();
    await expect(Promise.all([card.close(), card.close(), card.close()])).resolves.toEqual([undefined, undefined, undefined]);
    expect(transport.closes).toBe(1);
    expect(card.closed).toBe(true);
  });

  it('a card removed during the drop (removal fault injection): the SELECT fails, the transport is still closed once', async () => {
    const vc = await VirtualMyNumberCard.create();
    const transport = pcscLike(vc);
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    await card.jpki.sign('auth', DATA, { pin: AUTH_PIN, keepSecurityStatus: true });
    vc.clearLog();
    vc.removeAfterCommands(0); // the next command (close's SELECT of the JPKI AP) finds the card gone
    await card.close();
    expect(vc.log.map((e) => [hex(e.command), e.error])).toEqual([[SELECT.jpki, 'card-removed']]);
    expect(transport.closes).toBe(1);
  });

  it('another failure of the drop is reported — after the transport was closed and the session wiped', async () => {
    const vc = await VirtualMyNumberCard.create();
    const unplugged = new ReaderUnavailableError('SCardBeginTransaction: the reader is gone');
    let fail = false;
    const transport = pcscLike(vc, { begin: () => (fail ? unplugged : undefined) });
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    await card.jpki.sign('auth', DATA, { pin: AUTH_PIN, keepSecurityStatus: true });
    fail = true;
    await expect(card.close()).rejects.toBe(unplugged);
    expect(transport.closes).toBe(1);
    expect(card.closed).toBe(true);
    // Reported once: a later close() has nothing left to do.
    await expect(card.close()).resolves.toBeUndefined();
    expect(transport.closes).toBe(1);
  });

  it('the first error wins: a failing transport close does not hide the drop’s error, and is reported alone', async () => {
    const vc = await VirtualMyNumberCard.create();
    const unplugged = new ReaderUnavailableError('SCardBeginTransaction: the reader is gone');
    const disconnect = new TransportError('SCardDisconnect failed');
    let fail = false;
    const transport = pcscLike(vc, { begin: () => (fail ? unplugged : undefined), close: () => disconnect });
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    fail = true;
    await expect(card.close()).rejects.toBe(unplugged);
    expect(transport.closes).toBe(1);

    const vc2 = await VirtualMyNumberCard.create();
    const transport2 = pcscLike(vc2, { close: () => disconnect });
    const card2 = await MyNumberCard.connect(transport2, { closeTransport: true });
    vc2.remove();
    await expect(card2.close()).rejects.toBe(disconnect);
    expect(transport2.closes).toBe(1);
    await card2.close();
    expect(transport2.closes).toBe(1);
  });

  it('without closeTransport the caller’s transport is left open', async () => {
    const vc = await VirtualMyNumberCard.create();
    const transport = pcscLike(vc);
    const card = await MyNumberCard.connect(transport);
    vc.remove();
    await card.close();
    expect(transport.closes).toBe(0);
    expect(card.closed).toBe(true);
  });
});

describe('MyNumberCard.close() with a removed card (WebSmartCardTransport, fake navigator.smartCard)', () => {
  const READER = 'Virtual Reader 00 00';

  it('disconnects exactly once and resolves', async () => {
    const vc = await VirtualMyNumberCard.create();
    const smartCard = new FakeSmartCard();
    smartCard.addReader(READER, vc);
    const transport = await waitForCard({ smartCard });
    const close = vi.spyOn(transport, 'close');
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    await card.jpki.sign('auth', DATA, { pin: AUTH_PIN, keepSecurityStatus: true });
    smartCard.removeCard(READER);
    const starts = smartCard.calls('startTransaction');
    await expect(card.close()).resolves.toBeUndefined();
    expect(smartCard.calls('startTransaction')).toBe(starts + 1); // the drop was attempted
    expect(close).toHaveBeenCalledTimes(1);
    expect(transport.closed).toBe(true);
    expect(smartCard.calls('disconnect')).toBe(1);
    expect(smartCard.connections(READER)).toBe(0);
    await card.close();
    expect(close).toHaveBeenCalledTimes(1);
    expect(smartCard.calls('disconnect')).toBe(1);
  });

  it('a card another application reset (card-reset) is not an error either', async () => {
    const vc = await VirtualMyNumberCard.create();
    const smartCard = new FakeSmartCard();
    smartCard.addReader(READER, vc);
    const transport = await waitForCard({ smartCard });
    const close = vi.spyOn(transport, 'close');
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    await card.jpki.sign('auth', DATA, { pin: AUTH_PIN, keepSecurityStatus: true });
    smartCard.resetCard(READER);
    const starts = smartCard.calls('startTransaction');
    await expect(card.close()).resolves.toBeUndefined();
    expect(smartCard.calls('startTransaction')).toBe(starts + 1);
    expect(close).toHaveBeenCalledTimes(1);
    expect(smartCard.connections(READER)).toBe(0);
  });
});
