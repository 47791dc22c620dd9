/**
 * `WebSmartCardTransport` over the fake `navigator.smartCard`: exact APDUs, transactions and
 * their disposition on success and failure, a second connection competing for the card, card
 * removal, permission, service and availability errors, abort and timeouts, close.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MyNumberCard } from '../../src/aps/card.js';
import { fromHex, toHex } from '../../src/bytes.js';
import {
  AbortedError,
  CardBusyError,
  CardRemovedError,
  PcscServiceError,
  PermissionDeniedError,
  TransportError,
} from '../../src/errors.js';
import { FakeSmartCard, VirtualMyNumberCard } from '../../src/testing/index.js';
import type { SmartCardConnectionLike } from '../../src/web-smart-card/api-types.js';
import { connect, waitForCard, WebSmartCardTransport } from '../../src/web-smart-card/index.js';

const READER = 'Virtual Reader 00 00';
const SELECT_JPKI = fromHex('00A4040C0AD392F000260100000001');
const READ_TOKEN = fromHex('00B0860020');

async function setup(options: ConstructorParameters<typeof FakeSmartCard>[0] = {}) {
  const vc = await VirtualMyNumberCard.create();
  const smartCard = new FakeSmartCard(options);
  smartCard.addReader(READER, vc);
  return { vc, smartCard };
}

/** A second application: its own context and shared connection, through the raw API. */
async function otherApplication(smartCard: FakeSmartCard): Promise<SmartCardConnectionLike> {
  const context = await smartCard.establishContext();
  const { connection } = await context.connect(READER, 'shared', { preferredProtocols: ['t1'] });
  return connection;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('WebSmartCardTransport: exchanges', () => {
  it('sends the command bytes unchanged and returns data ‖ SW', async () => {
    const { vc, smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    expect(toHex(await transport.transmit(SELECT_JPKI))).toBe('9000');
    const token = await transport.transmit(READ_TOKEN);
    expect(token).toHaveLength(34);
    expect(toHex(token.subarray(0, 15))).toBe(toHex(new TextEncoder().encode('JPKIAPICCTOKEN2')));
    expect(toHex(token.subarray(32))).toBe('9000');
    expect(vc.log.map((e) => toHex(e.command))).toEqual(['00a4040c0ad392f000260100000001', '00b0860020']);
    expect(transport.maxResponseLength).toBe(65_538);
    expect('extendedLength' in transport).toBe(false);
    await transport.close();
  });

  it('passes the extendedLength option on as a fixed hint, and never changes it', async () => {
    const { smartCard } = await setup();
    const yes = await connect(READER, { smartCard, extendedLength: true });
    const card = await MyNumberCard.connect(yes);
    await card.jpki.readCertificate('auth');
    expect(yes.extendedLength).toBe(true);
    await card.close();
    await yes.close();
    const no = await connect(READER, { smartCard, extendedLength: false });
    expect(no.extendedLength).toBe(false);
    await no.close();
  });

  it('rejects a malformed command before the API', async () => {
    const { smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    await expect(transport.transmit(Uint8Array.of(0, 0xa4))).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(smartCard.calls('transmit')).toBe(0);
    await transport.close();
  });

  it('close() disconnects once, leaves the card, and later calls fail with transport-closed', async () => {
    const { smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    expect(smartCard.connections(READER)).toBe(1);
    await Promise.all([transport.close(), transport.close()]);
    expect(smartCard.connections(READER)).toBe(0);
    expect(smartCard.calls('disconnect')).toBe(1);
    expect(transport.closed).toBe(true);
    await expect(transport.transmit(SELECT_JPKI)).rejects.toMatchObject({ name: 'TransportError', code: 'transport-closed' });
    await expect(transport.withTransaction(async () => 1)).rejects.toMatchObject({ code: 'transport-closed' });
  });
});

describe('WebSmartCardTransport: transactions', () => {
  it("runs fn inside startTransaction and leaves the card ('leave') on success", async () => {
    const { smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    const sw = await transport.withTransaction(async () => toHex(await transport.transmit(SELECT_JPKI)));
    expect(sw).toBe('9000');
    expect(smartCard.transactions).toEqual([{ reader: READER, disposition: 'leave' }]);
    await transport.close();
  });

  it("passes fn's error on and still leaves the card ('leave', not the API's default 'reset')", async () => {
    const { vc, smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    const failure = new Error('the operation failed');
    await expect(
      transport.withTransaction(async () => {
        await transport.transmit(SELECT_JPKI);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(smartCard.transactions).toEqual([{ reader: READER, disposition: 'leave' }]);
    // The card kept its state: the AP selected inside the transaction is still current.
    expect(toHex(await transport.transmit(READ_TOKEN)).slice(-4)).toBe('9000');
    expect(vc.log.map((e) => toHex(e.command))).toEqual(['00a4040c0ad392f000260100000001', '00b0860020']);
    await transport.close();
  });

  it('runs a nested withTransaction inside the current one', async () => {
    const { smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    const value = await transport.withTransaction(() => transport.withTransaction(async () => 7));
    expect(value).toBe(7);
    expect(smartCard.calls('startTransaction')).toBe(1);
    await transport.close();
  });

  it('queues a transmit outside a transaction until the card is free of its other calls', async () => {
    const { vc, smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    // Two transmits at once: the API allows one call per context; the transport queues them.
    const [a, b] = await Promise.all([transport.transmit(SELECT_JPKI), transport.transmit(READ_TOKEN)]);
    expect(toHex(a)).toBe('9000');
    expect(toHex(b).slice(-4)).toBe('9000');
    expect(vc.log).toHaveLength(2);
    await transport.close();
  });
});

describe('WebSmartCardTransport: a second connection competing for the card', () => {
  it('waits while another application holds a transaction, then runs', async () => {
    const { vc, smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    const other = await otherApplication(smartCard);
    let endOther!: () => void;
    const otherHolds = new Promise<void>((resolve) => (endOther = resolve));
    let otherStarted!: () => void;
    const started = new Promise<void>((resolve) => (otherStarted = resolve));
    const otherTransaction = other.startTransaction(async () => {
      otherStarted();
      await other.transmit(SELECT_JPKI);
      await otherHolds;
      await other.transmit(READ_TOKEN);
      return 'leave';
    });
    await started;
    const ours = transport.withTransaction(async () => toHex(await transport.transmit(fromHex('00A4040C0AD3921000310001010408'))));
    await vi.waitFor(() => expect(smartCard.waitingTransactions(READER)).toBe(1));
    endOther();
    await otherTransaction;
    expect(await ours).toBe('9000');
    // The other application's sequence was whole; ours came after it.
    expect(vc.log.map((e) => toHex(e.command))).toEqual([
      '00a4040c0ad392f000260100000001',
      '00b0860020',
      '00a4040c0ad3921000310001010408',
    ]);
    expect(smartCard.transactions.map((t) => t.disposition)).toEqual(['leave', 'leave']);
    await transport.close();
    await other.disconnect();
  });

  it('gives up after transactionTimeoutMs with CardBusyError and withdraws its begin', async () => {
    const { smartCard } = await setup();
    const transport = await connect(READER, { smartCard, transactionTimeoutMs: 40 });
    const other = await otherApplication(smartCard);
    let endOther!: () => void;
    const otherHolds = new Promise<void>((resolve) => (endOther = resolve));
    const otherTransaction = other.startTransaction(async () => {
      await otherHolds;
      return 'leave';
    });
    const fn = vi.fn(async () => 1);
    const error = await transport.withTransaction(fn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardBusyError);
    expect((error as CardBusyError).code).toBe('card-busy');
    expect(fn).not.toHaveBeenCalled();
    expect(smartCard.waitingTransactions(READER)).toBe(0);
    endOther();
    await otherTransaction;
    // The transport works again once the card is free.
    expect(await transport.withTransaction(async () => toHex(await transport.transmit(SELECT_JPKI)))).toBe('9000');
    await transport.close();
    await other.disconnect();
  });

  it('stops waiting on abort with AbortedError', async () => {
    const { smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    const other = await otherApplication(smartCard);
    let endOther!: () => void;
    const otherTransaction = other.startTransaction(
      () => new Promise<'leave'>((resolve) => (endOther = () => resolve('leave'))),
    );
    const controller = new AbortController();
    const pending = transport.withTransaction(async () => 1, { signal: controller.signal });
    await vi.waitFor(() => expect(smartCard.waitingTransactions(READER)).toBe(1));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(smartCard.waitingTransactions(READER)).toBe(0);
    endOther();
    await otherTransaction;
    await transport.close();
    await other.disconnect();
  });

  it("refuses the other application's command in the middle of our sequence (sharing-violation → CardBusyError)", async () => {
    const { vc, smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    const other = await otherApplication(smartCard);
    let otherResult: unknown;
    await transport.withTransaction(async () => {
      await transport.transmit(SELECT_JPKI);
      otherResult = await other.transmit(fromHex('00A4040C0AD3921000310001010408')).catch((e: unknown) => e);
      await transport.transmit(READ_TOKEN);
    });
    expect(otherResult).toMatchObject({ name: 'SmartCardError', responseCode: 'sharing-violation' });
    expect(vc.log.map((e) => toHex(e.command))).toEqual(['00a4040c0ad392f000260100000001', '00b0860020']);
    await transport.close();
    await other.disconnect();
  });

  it('two card sessions on two transports never interleave their sequences', async () => {
    const { vc, smartCard } = await setup();
    const a = await MyNumberCard.connect(await connect(READER, { smartCard }), { closeTransport: true });
    const b = await MyNumberCard.connect(await connect(READER, { smartCard }), { closeTransport: true });
    vc.clearLog();
    const [certA, certB] = await Promise.all([a.jpki.readCertificate('auth'), b.jpki.readCertificate('auth-ca')]);
    expect(toHex(certA)).toBe(toHex(vc.certificates.auth));
    expect(toHex(certB)).toBe(toHex(vc.certificates.authCa));
    // Each operation starts with its SELECT and its reads follow it unbroken.
    const commands = vc.log.map((e) => toHex(e.command).slice(0, 8));
    const firstSelect = commands.indexOf('00a4040c');
    const secondSelect = commands.indexOf('00a4040c', firstSelect + 1);
    expect(firstSelect).toBe(0);
    expect(commands.slice(1, secondSelect).every((c) => c.startsWith('00b0'))).toBe(true);
    expect(commands.slice(secondSelect + 1).every((c) => c.startsWith('00b0'))).toBe(true);
    await a.close();
    await b.close();
    expect(smartCard.connections(READER)).toBe(0);
  });
});

describe('WebSmartCardTransport: the card leaves', () => {
  it('a card pulled out mid-operation surfaces as CardRemovedError, and the transaction still ends', async () => {
    const { vc, smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    const card = await MyNumberCard.connect(transport);
    vc.removeAfterCommands(1);
    const transactions = smartCard.transactions.length;
    await expect(card.jpki.readCertificate('auth')).rejects.toBeInstanceOf(CardRemovedError);
    // The transaction was ended (EndTransaction on a removed card fails; fn's error wins).
    expect(smartCard.transactions).toHaveLength(transactions + 1);
    expect(smartCard.transactions.at(-1)).toEqual({ reader: READER, disposition: 'leave' });
    // The connection stays removed, even with the card back (a new connection is needed).
    vc.insert();
    await expect(card.jpki.readCertificate('auth')).rejects.toBeInstanceOf(CardRemovedError);
    await transport.close();
    expect(smartCard.connections(READER)).toBe(0);
  });

  it('a card taken out of the reader between operations: CardRemovedError without a PIN in it', async () => {
    const { smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    smartCard.removeCard(READER);
    const verify = fromHex('0020008004');
    const command = new Uint8Array([...verify, 0x31, 0x32, 0x33, 0x34]);
    const error = (await transport.transmit(command).catch((e: unknown) => e)) as CardRemovedError;
    expect(error).toBeInstanceOf(CardRemovedError);
    expect(error.code).toBe('card-removed');
    const text = `${error.message} ${String(error.cause)} ${JSON.stringify(error)}`;
    expect(text).not.toMatch(/31323334|31 32 33 34|1234/);
    await transport.close();
  });

  it('an unplugged reader: ReaderUnavailableError', async () => {
    const { smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    smartCard.removeReader(READER);
    await expect(transport.transmit(SELECT_JPKI)).rejects.toMatchObject({ name: 'ReaderUnavailableError', code: 'reader-unavailable' });
    await transport.close();
  });
});

describe('connect: permission, service, availability', () => {
  it('NotAllowedError (permission denied) → PermissionDeniedError', async () => {
    const { smartCard } = await setup({ permission: 'denied' });
    const error = await connect(READER, { smartCard }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ name: 'PermissionDeniedError', code: 'permission-denied' });
    expect((error as Error).cause).toMatchObject({ name: 'NotAllowedError' });
    smartCard.permission = 'granted';
    await (await connect(READER, { smartCard })).close();
  });

  it('SecurityError (no "smart-card" permissions policy) → PermissionDeniedError', async () => {
    const { smartCard } = await setup({ allowed: false });
    await expect(connect(READER, { smartCard })).rejects.toMatchObject({ code: 'permission-denied' });
  });

  it("no PC/SC service ('no-service') → PcscServiceError", async () => {
    const { smartCard } = await setup({ service: false });
    await expect(connect(READER, { smartCard })).rejects.toBeInstanceOf(PcscServiceError);
  });

  it('unknown reader, empty reader, exclusive holder → typed errors', async () => {
    const { smartCard } = await setup();
    await expect(connect('No Such Reader', { smartCard })).rejects.toMatchObject({ code: 'reader-unavailable' });
    smartCard.addReader('Empty Reader');
    await expect(connect('Empty Reader', { smartCard })).rejects.toMatchObject({ code: 'card-removed' });
    const context = await smartCard.establishContext();
    const { connection } = await context.connect(READER, 'exclusive', { preferredProtocols: ['t1'] });
    await expect(connect(READER, { smartCard })).rejects.toMatchObject({ code: 'card-busy' });
    await connection.disconnect();
  });

  it('without navigator.smartCard: TransportError web-smart-card-unavailable; with it: used by default', async () => {
    vi.stubGlobal('navigator', {});
    const error = await connect(READER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'web-smart-card-unavailable' });
    const { smartCard } = await setup();
    vi.stubGlobal('navigator', { smartCard });
    const transport = await connect(READER);
    expect(transport).toBeInstanceOf(WebSmartCardTransport);
    await transport.close();
  });

  it('checks its arguments', async () => {
    const { smartCard } = await setup();
    await expect(connect('', { smartCard })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(connect(READER, { smartCard, protocol: 'T=2' as 'T=1' })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(connect(READER, { smartCard, transactionTimeoutMs: -1 })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(connect(READER, { smartCard: {} as FakeSmartCard })).rejects.toMatchObject({ code: 'invalid-argument' });
    // T=0 only: the card offers T=1 → proto-mismatch.
    await expect(connect(READER, { smartCard, protocol: 'T=0' })).rejects.toMatchObject({ code: 'pcsc-error' });
  });
});

describe('WebSmartCardTransport: the reader or another application changes the card', () => {
  it('a card reset by another application: card-reset once, then the transport works again (reconnected)', async () => {
    const { vc, smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    const card = await MyNumberCard.connect(transport);
    smartCard.resetCard(READER);
    const error = await card.jpki.readCertificate('auth').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'card-reset' });
    expect(smartCard.connections(READER)).toBe(1);
    vc.clearLog();
    expect(toHex(await card.jpki.readCertificate('auth'))).toBe(toHex(vc.certificates.auth));
    expect(toHex(vc.log[0]!.command)).toBe('00a4040c0ad392f000260100000001');
    await card.close();
    await transport.close();
    expect(smartCard.connections(READER)).toBe(0);
  });

  it('a reset in the middle of our transaction: card-reset, reconnected after the transaction ended', async () => {
    const { smartCard } = await setup();
    const transport = await connect(READER, { smartCard });
    const error = await transport
      .withTransaction(async () => {
        await transport.transmit(SELECT_JPKI);
        smartCard.resetCard(READER);
        await transport.transmit(READ_TOKEN);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransportError', code: 'card-reset' });
    expect(await transport.withTransaction(async () => toHex(await transport.transmit(SELECT_JPKI)))).toBe('9000');
    expect(smartCard.connections(READER)).toBe(1);
    await transport.close();
  });

  it('a reader that refuses extended APDUs (not-transacted): the channel falls back to short APDUs', async () => {
    const vc = await VirtualMyNumberCard.create();
    const smartCard = new FakeSmartCard();
    smartCard.addReader(READER, vc, { extendedApdu: false });
    const transport = await connect(READER, { smartCard });
    const direct = await transport.transmit(fromHex('00A4040C0AD392F000260100000001'));
    expect(toHex(direct)).toBe('9000');
    const refused = await transport.transmit(fromHex('00B08A00000000')).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'TransportError', code: 'extended-length-refused' });
    const card = await MyNumberCard.connect(transport);
    expect(toHex(await card.jpki.readCertificate('auth'))).toBe(toHex(vc.certificates.auth));
    expect(card.extendedLength).toBe(false);
    // The card never saw an extended command: the reader stopped them.
    expect(vc.log.filter((e) => e.command.length >= 7 && e.command[4] === 0)).toEqual([]);
    await card.close();
    await transport.close();
  });

  it('a removed card is reported as removed, also for an extended command on a short-APDU reader', async () => {
    const vc = await VirtualMyNumberCard.create();
    const smartCard = new FakeSmartCard();
    smartCard.addReader(READER, vc, { extendedApdu: false });
    const transport = await connect(READER, { smartCard });
    smartCard.removeCard(READER);
    await expect(transport.transmit(fromHex('00B08A00000000'))).rejects.toBeInstanceOf(CardRemovedError);
    await transport.close();
  });
});

describe('connect: the permission prompt', () => {
  it('resolves once the user allows; rejects with PermissionDeniedError once the user refuses', async () => {
    const { smartCard } = await setup({ permission: 'prompt' });
    const allowed = connect(READER, { smartCard });
    await vi.waitFor(() => expect(smartCard.pendingPrompts).toBe(1));
    smartCard.answerPrompt('granted');
    const transport = await allowed;
    await transport.close();
    const refused = connect(READER, { smartCard });
    await vi.waitFor(() => expect(smartCard.pendingPrompts).toBe(1));
    smartCard.answerPrompt('denied');
    await expect(refused).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('stops waiting for the prompt on abort; a connection granted later is closed at once', async () => {
    const { smartCard } = await setup({ permission: 'prompt' });
    const controller = new AbortController();
    const pending = connect(READER, { smartCard, signal: controller.signal });
    await vi.waitFor(() => expect(smartCard.pendingPrompts).toBe(1));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    smartCard.answerPrompt('granted');
    await vi.waitFor(() => expect(smartCard.calls('disconnect')).toBe(1));
    expect(smartCard.connections(READER)).toBe(0);
  });

  it('waitForCard: the timeout covers the prompt too', async () => {
    const { smartCard } = await setup({ permission: 'prompt' });
    const error = await waitForCard({ smartCard, timeoutMs: 60 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'timeout' });
    expect(smartCard.pendingPrompts).toBe(1);
    smartCard.answerPrompt('granted');
    await vi.waitFor(() => expect(smartCard.calls('disconnect')).toBe(1));
    expect(smartCard.connections(READER)).toBe(0);
  });
});
