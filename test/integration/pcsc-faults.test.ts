/**
 * What real readers do to PcscTransport, through the real stack (pcscd + vpcd + the bridge):
 * the card pulled out mid-read and put back, no PC/SC service, another process holding a
 * PC/SC transaction, and a process that must end by itself after close().
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MyNumberCard } from '../../src/aps/index.js';
import { toHex } from '../../src/bytes.js';
import { CardBusyError, CardRemovedError } from '../../src/errors.js';
import { waitForCard, type PcscTransport } from '../../src/pcsc/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import type { VpcdConnection } from '../../src/testing/vpcd.js';
import { injectedPcsc, suiteTitle } from './injected.js';
import { startPcscStack, stopPcscStack } from './pcsc-stack.js';
import { exchanges, insertCard, otherApplication, sdkChild, waitForReader, type LineChild } from './pcsc-fixture.js';

const pcsc = injectedPcsc();
const hx = (b: Uint8Array) => toHex(b).toUpperCase();
const SELECT_JPKI = '00A4040C0AD392F000260100000001';
const SELECT_TEXT = '00A4040C0AD3921000310001010408';
const READ_TOKEN = '00B0860020';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!pcsc.ok)(suiteTitle('PcscTransport faults through pcscd + vpcd', pcsc), () => {
  const stack = pcsc.ok ? pcsc.stack : undefined;
  const children: LineChild[] = [];
  const connections: VpcdConnection[] = [];
  const transports: PcscTransport[] = [];

  const insert = async (vc: VirtualMyNumberCard): Promise<VpcdConnection> => {
    const conn = await insertCard(stack!, vc);
    connections.push(conn);
    return conn;
  };
  const connect = async (): Promise<PcscTransport> => {
    const t = await waitForCard({ reader: stack!.reader, timeoutMs: 15_000 });
    transports.push(t);
    return t;
  };

  beforeAll(async () => {
    await waitForReader(stack!.reader, false);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill();
    for (const t of transports.splice(0)) await t.close();
    for (const c of connections.splice(0)) await c.close();
    await waitForReader(stack!.reader, false);
  });

  describe.each([
    // The operation starts with a SELECT (shared reader); the card is pulled on the READ BINARY.
    { mode: 'extended length', quirks: {}, pullAfter: 1 },
    // Short APDUs: pulled after the SELECT, the probe (6700) and two 256-byte chunks.
    { mode: 'short APDUs only', quirks: { extendedLength: false }, pullAfter: 4 },
  ])('card pulled out mid-read ($mode)', ({ quirks, pullAfter }) => {
    it('→ CardRemovedError, no partial certificate; after re-insertion reconnect() and the same session read it whole', async () => {
      const vc = await VirtualMyNumberCard.create({ quirks });
      await insert(vc);
      const transport = await connect();
      const card = await MyNumberCard.connect(transport);
      vc.clearLog();
      vc.removeAfterCommands(pullAfter); // the bridge drops the connection: the card left the reader
      const progress: number[] = [];
      const error = await card.jpki
        .readCertificate('auth', { onProgress: (p) => progress.push(p.loaded) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CardRemovedError);
      expect(vc.present).toBe(false);
      // Pulled on a READ BINARY of the certificate, after `pullAfter` answered commands.
      expect(vc.log.map((e) => e.error ?? 'ok')).toEqual([...Array<string>(pullAfter).fill('ok'), 'card-removed']);
      expect(vc.log.at(-1)?.ins).toBe(0xb0);
      expect(progress).toEqual(pullAfter === 4 ? [256, 512] : []);
      await waitForReader(stack!.reader, false);
      expect(transport.cardPresent).toBe(false);
      await expect(transport.transmit(Uint8Array.of(0x00, 0xb0, 0x86, 0x00, 0x20))).rejects.toBeInstanceOf(CardRemovedError);

      // Put it back: a new bridge connection; the old transport reconnects.
      vc.insert();
      vc.clearLog();
      await insert(vc);
      await transport.reconnect({ timeoutMs: 15_000 });
      expect(hx(transport.atr)).toBe(hx(vc.atr));
      const der = await card.jpki.readCertificate('auth');
      expect(hx(der)).toBe(hx(vc.certificates.auth));
      // The session forgot the selection and nothing of the half read was kept: a fresh SELECT and a read from offset 0.
      const log = exchanges(vc);
      expect(log[0]).toBe(`${SELECT_JPKI}>9000`);
      expect(log[1]).toMatch(/^00B08A00/);
    });
  });

  it('pcscd not running → PcscServiceError that says to install/start pcscd, and the process still exits', async () => {
    // A client library pointed at a socket no pcscd serves = no PC/SC service (SCARD_E_NO_SERVICE).
    const child = sdkChild('no-service', stack!.reader, { ...process.env, PCSCLITE_CSOCK_NAME: `${stack!.labDir}/no-pcscd.comm` });
    children.push(child);
    expect(await child.exitCode()).toBe(0);
    const errors = child.lines.filter((l) => l.startsWith('ERROR ')).map((l) => JSON.parse(l.slice(6)) as Record<string, string>);
    expect(errors).toHaveLength(2);
    for (const e of errors) {
      expect(e['name']).toBe('PcscServiceError');
      expect(e['code']).toBe('pcsc-service');
      expect(e['message']).toContain('(NoService)');
      expect(e['message']).toContain('pcscd');
    }
  });

  it('pcscd stopping under an open session → PcscServiceError everywhere; the process still ends by itself', async () => {
    const vc = await VirtualMyNumberCard.create();
    await insert(vc);
    const child = sdkChild('pcscd-stops', stack!.reader);
    children.push(child);
    await child.waitForLine('READY');
    // Stop the run's pcscd (same state directory), and start it again afterwards for the other tests.
    await stopPcscStack({ labDir: stack!.labDir, ownsLabDir: false });
    try {
      child.send('go');
      await child.waitForLine('CLOSED');
      const errors = child.lines.filter((l) => l.startsWith('ERROR ')).map((l) => JSON.parse(l.slice(6)) as Record<string, string>);
      expect(errors.map((e) => [e['name'], e['code']])).toEqual([
        ['PcscServiceError', 'pcsc-service'],
        ['PcscServiceError', 'pcsc-service'],
      ]);
      const watch = JSON.parse((await child.waitForLine('WATCH ')).slice(6)) as Record<string, string>;
      expect([watch['name'], watch['code']]).toEqual(['PcscServiceError', 'pcsc-service']);
      // pcsc-mini must not throw from its finalizer at exit (it does if its client is stopped after pcscd died).
      expect(await child.exitCode(15_000)).toBe(0);
      expect(child.stderr.join('\n')).not.toContain('InvalidHandle');
    } finally {
      await connections.pop()?.close();
      const restarted = await startPcscStack({ labDir: stack!.labDir });
      expect([restarted.vpcdHost, restarted.vpcdPort, restarted.reader]).toEqual([stack!.vpcdHost, stack!.vpcdPort, stack!.reader]);
    }
    // The SDK in this process finds the new pcscd.
    const again = await VirtualMyNumberCard.create();
    await insert(again);
    const transport = await connect();
    const card = await MyNumberCard.connect(transport);
    expect(card.profile).toBe('card');
  });

  it('another process holding a transaction: our operation waits, then runs after it, never interleaved', async () => {
    const vc = await VirtualMyNumberCard.create();
    await insert(vc);
    const transport = await connect();
    const card = await MyNumberCard.connect(transport);
    const other = otherApplication('hold', stack!.reader, SELECT_JPKI);
    children.push(other);
    await other.waitForLine('LOCKED');
    vc.clearLog();
    let finished = false;
    // No explicit transaction: the SDK's APDU channel holds one around each operation.
    const reading = card.jpki.readCertificate('auth-ca').finally(() => (finished = true));
    await sleep(500);
    expect(finished).toBe(false);
    expect(vc.log).toHaveLength(0); // nothing of ours reached the card
    other.send('go');
    expect(await other.waitForLine('SENT')).toBe('SENT 9000');
    expect(hx(await reading)).toBe(hx(vc.certificates.authCa));
    expect(await other.waitForLine('RELEASED')).toBe('RELEASED');
    // The other application's command came first, then our whole operation (SELECT, READ).
    expect(exchanges(vc)).toEqual([`${SELECT_JPKI}>9000`, `${SELECT_JPKI}>9000`, '00B08B00000000>9000']);
    expect(await other.exitCode()).toBe(0);
  });

  it('another process holding a transaction past our timeout: CardBusyError, nothing sent; afterwards we work', async () => {
    const vc = await VirtualMyNumberCard.create();
    await insert(vc);
    const transport = await connect();
    const card = await MyNumberCard.connect(transport);
    const other = otherApplication('hold', stack!.reader, SELECT_JPKI);
    children.push(other);
    await other.waitForLine('LOCKED');
    vc.clearLog();
    const error = await transport
      .withTransaction(() => card.jpki.remainingTries('auth'), { timeoutMs: 400 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardBusyError);
    expect(vc.log).toHaveLength(0);
    other.send('go');
    await other.waitForLine('RELEASED');
    expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
    expect(exchanges(vc)).toEqual([`${SELECT_JPKI}>9000`, `${SELECT_JPKI}>9000`, '00200098>63C3']);
    expect(await other.exitCode()).toBe(0);
  });

  it('while we hold a transaction, another process cannot slip a SELECT into our sequence', async () => {
    const vc = await VirtualMyNumberCard.create();
    await insert(vc);
    const transport = await connect();
    const other = otherApplication('try', stack!.reader, SELECT_TEXT);
    children.push(other);
    await other.waitForLine('CONNECTED');
    vc.clearLog();
    const token = await transport.withTransaction(async () => {
      expect(hx(await transport.transmit(Uint8Array.from(Buffer.from(SELECT_JPKI, 'hex'))))).toBe('9000');
      other.send('go');
      await other.waitForLine('SENDING');
      await sleep(500); // the other SELECT is waiting in pcscd now
      return transport.transmit(Uint8Array.from(Buffer.from(READ_TOKEN, 'hex')));
    });
    // READ BINARY by SFI 06 still found the JPKI token: the text AP was not selected in between.
    expect(hx(token.subarray(-2))).toBe('9000');
    expect(new TextDecoder().decode(token.subarray(0, 15))).toBe('JPKIAPICCTOKEN2');
    expect(await other.waitForLine('SENT')).toBe('SENT 9000');
    expect(exchanges(vc)).toEqual([`${SELECT_JPKI}>9000`, `${READ_TOKEN}>9000`, `${SELECT_TEXT}>9000`]);
    expect(await other.exitCode()).toBe(0);
  });

  it('a process that used the SDK ends by itself after close(), even right after a reader event', async () => {
    const vc = await VirtualMyNumberCard.create();
    // The child waits for the card; we insert it while it waits, so close() follows a reader event closely.
    const child = sdkChild('read', stack!.reader);
    children.push(child);
    await sleep(300);
    await insert(vc);
    const line = await child.waitForLine('CERT');
    expect(line).toBe(`CERT ${vc.certificates.auth.length} ${createHash('sha256').update(vc.certificates.auth).digest('hex')}`);
    await child.waitForLine('CLOSED');
    // No process.exit() in the child: exit code 0 means nothing kept its event loop alive.
    expect(await child.exitCode(15_000)).toBe(0);
  });
});
