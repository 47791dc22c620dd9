/**
 * Issue 13 §3: no copy of a PIN-bearing command is left behind after `sign()`, in any
 * transport (WebUSB at APDU and T=1 TPDU level, the vpcd bridge, PC/SC); no secret in a
 * transport error's cause; PINs accepted as bytes and wiped.
 *
 * Memory inspection: the arrays a transport was given, every `slice()` copy made of them (and of
 * those copies: the WebUSB queue copy, the T=1 layer's command), and every USB bulk-OUT message
 * (XfrBlocks carrying the APDU or its T=1 I-blocks) are kept by reference and searched after
 * the operation for `20 00 P2 Lc <PIN>`.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { RedactedTransportCause } from '../../src/apdu/errors.js';
import { ApduChannel } from '../../src/apdu/channel.js';
import { CommandApdu } from '../../src/apdu/command.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { defineCardAp, digitsCodec, openCardAp } from '../../src/aps/card-ap/index.js';
import { CardRemovedError, PinFormatError, TransportError } from '../../src/errors.js';
import { PcscContext } from '../../src/pcsc/context.js';
import { connectToVpcd, VirtualMyNumberCard } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { T1Protocol } from '../../src/webusb/t1.js';
import { WebUsbCcidTransport } from '../../src/webusb/index.js';
import { FakeWorld, PRESENT, state } from '../pcsc/fake-pcsc-mini.js';
import { SimReader, type SimReaderOptions } from '../webusb/sim-reader.js';
import { containsBytes, errorText, findLeaks, LEAK_PINS, verifyBody, watchCopies, type CopyWatch } from './secrets.js';

const DATA = new TextEncoder().encode('wipe test document');
const AUTH_VERIFY = verifyBody(0x98, LEAK_PINS.auth);
const SIGN_VERIFY = verifyBody(0x9b, LEAK_PINS.sign);

let watch: CopyWatch | undefined;
afterEach(() => {
  watch?.restore();
  watch = undefined;
});

/** A transport that hands every command to `watch` before passing it on (all else delegated). */
function spied(inner: Transport, w: CopyWatch): Transport {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'transmit') {
        return (command: Uint8Array) => {
          w.watch(command);
          return target.transmit(command);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A simulated reader that keeps a reference to every bulk-OUT message it was given. */
class SpyReader extends SimReader {
  readonly outMessages: Uint8Array[] = [];
  override transferOut(endpointNumber: number, data: Uint8Array<ArrayBuffer>) {
    this.outMessages.push(data);
    return super.transferOut(endpointNumber, data);
  }
}

/** Which of `arrays` still hold `needle`. */
const holding = (arrays: readonly Uint8Array[], needle: Uint8Array): number =>
  arrays.filter((a) => containsBytes(a, needle)).length;

describe('WebUSB: no copy of the VERIFY survives sign()', () => {
  const READERS: [string, SimReaderOptions][] = [
    ['short APDU level', { level: 'short-apdu' }],
    ['extended APDU level (chained parts)', { level: 'extended-apdu', maxMessageLength: 271 }],
    ['TPDU level, T=1', { level: 'tpdu' }],
  ];
  for (const [name, options] of READERS) {
    it(name, async () => {
      const vc = await VirtualMyNumberCard.create({ pins: LEAK_PINS });
      const sim = new SpyReader(vc, options);
      const transport = await WebUsbCcidTransport.open(sim);
      watch = watchCopies();
      const card = await MyNumberCard.connect(spied(transport as Transport, watch), { closeTransport: true });
      // Each command is checked when it arrives, so the test knows the PIN really went through.
      let seen = 0;
      const count = (a: Uint8Array): void => void (containsBytes(a, AUTH_VERIFY) && seen++);
      const original = watch.watch;
      const w = watch;
      (w as { watch: (a: Uint8Array) => void }).watch = (a) => {
        count(a);
        original(a);
      };
      const signature = await card.jpki.sign('auth', DATA, { pin: LEAK_PINS.auth });
      expect(signature.length).toBe(256);
      expect(seen).toBe(1);
      expect(w.arrays.length).toBeGreaterThan(5); // the transport's own copies were seen too
      expect(holding(w.arrays, AUTH_VERIFY)).toBe(0);
      expect(sim.outMessages.length).toBeGreaterThan(5);
      expect(holding(sim.outMessages, AUTH_VERIFY)).toBe(0);
      // The reader did receive it: the simulator's own log (the card side) has it.
      expect(holding(sim.log.filter((e) => e.direction === 'out').map((e) => e.bytes), AUTH_VERIFY)).toBe(1);
      await card.close();
    });
  }
});

describe('T=1: the command and every block kept for retransmission are wiped when the exchange ends', () => {
  it('the I-blocks of a chained VERIFY, after done', () => {
    const t1 = new T1Protocol({ ifsc: 4 });
    const apdu = Uint8Array.of(0x00, 0x20, 0x00, 0x98, 0x04, ...new TextEncoder().encode(LEAK_PINS.auth));
    const blocks: Uint8Array[] = [];
    let step = t1.transmit(apdu);
    while (step.type === 'send') {
      blocks.push(step.block);
      const pcb = step.block[1]!;
      if ((pcb & 0x80) === 0 && (pcb & 0x20) !== 0) {
        // Chained I-block: acknowledge with R(N(R) = next).
        const nr = ((pcb >> 6) & 1) ^ 1;
        const r = Uint8Array.of(0x00, 0x80 | (nr << 4), 0x00, 0);
        r[3] = r[0]! ^ r[1]! ^ r[2]!;
        step = t1.receive(r);
      } else {
        const i = Uint8Array.of(0x00, 0x00, 0x02, 0x90, 0x00, 0);
        i[5] = i[0]! ^ i[1]! ^ i[2]! ^ i[3]! ^ i[4]!;
        step = t1.receive(i);
      }
    }
    expect(step.response).toEqual(Uint8Array.of(0x90, 0x00));
    expect(blocks.length).toBe(3); // 4 + 4 + 1 bytes of INF
    for (const b of blocks) expect(b.every((x) => x === 0)).toBe(true);
    expect(apdu[5]).toBe(LEAK_PINS.auth.charCodeAt(0)); // the caller's array is the caller's
  });

  it('abandon() wipes too', () => {
    const t1 = new T1Protocol();
    const step = t1.transmit(Uint8Array.of(0x00, 0x20, 0x00, 0x98, 0x04, 0x37, 0x33, 0x39, 0x31));
    if (step.type !== 'send') throw new Error('expected a block to send');
    t1.abandon();
    expect(step.block.every((x) => x === 0)).toBe(true);
  });
});

describe('the vpcd bridge wipes its copy of a VERIFY', () => {
  let server: Server | undefined;
  let peer: Socket | undefined;
  let connection: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    peer?.destroy();
    await connection?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    peer = undefined;
    connection = undefined;
  });

  it('the array handed to the card is zero once the response is sent; other commands are kept', async () => {
    const received: Uint8Array[] = [];
    const card: Transport = {
      async transmit(command) {
        received.push(command);
        return Uint8Array.of(0x90, 0x00);
      },
    };
    const connected = new Promise<Socket>((resolve) => {
      server = createServer((socket) => resolve(socket));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const port = (server!.address() as AddressInfo).port;
    connection = await connectToVpcd(card, { host: '127.0.0.1', port });
    peer = await connected;
    let bytes = 0;
    // Each answer is one 4-byte frame (length 0002, SW 9000).
    const answered = (n: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (bytes >= 4 * n) resolve();
          else setTimeout(check, 5);
        };
        check();
      });
    peer.on('data', (chunk: Buffer) => (bytes += chunk.length));
    const frame = (apdu: Uint8Array): Uint8Array => Uint8Array.of(apdu.length >> 8, apdu.length & 0xff, ...apdu);
    const verify = Uint8Array.of(0x00, ...AUTH_VERIFY);
    const select = Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x02, 0x12, 0x34);
    peer.write(frame(verify));
    await answered(1);
    peer.write(frame(select));
    await answered(2);
    expect(received).toHaveLength(2);
    expect(received[0]!.every((b) => b === 0)).toBe(true);
    expect(received[1]).toEqual(select);
  });
});

describe('PC/SC: the transport makes no copy; the channel wipes what it handed over', () => {
  it('the arrays pcsc-mini received for the VERIFY are zero after sign()', async () => {
    const vc = await VirtualMyNumberCard.create({ pins: LEAK_PINS });
    const world = new FakeWorld({ 'Reader 0': state(PRESENT, 1) });
    const context = new PcscContext({ pcscMini: world.module });
    const transport = await context.connect('Reader 0');
    const fake = world.cards[0]!;
    const inputs: Uint8Array[] = [];
    let seen = 0;
    const transmit = fake.transmit.bind(fake);
    fake.transmit = (input: Uint8Array, output?: ArrayBuffer) => {
      inputs.push(input);
      if (containsBytes(input, SIGN_VERIFY)) seen++;
      const answer = vc.transmit(Uint8Array.from(input));
      fake.answers.push(() => answer);
      return transmit(input, output);
    };
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    await card.jpki.sign('sign', DATA, { pin: LEAK_PINS.sign });
    expect(seen).toBe(1);
    expect(holding(inputs, SIGN_VERIFY)).toBe(0);
    await card.close();
  });
});

describe('a transport error on a PIN-bearing command keeps no secret in its cause', () => {
  /** A toy transport that echoes the command in its error (message, a property, a nested cause). */
  function echoing(vc: VirtualMyNumberCard, kind: 'plain' | 'typed'): Transport {
    return {
      async transmit(command) {
        if (command[1] === 0x20 && command.length > 5) {
          const hexCommand = Array.from(command, (b) => b.toString(16).padStart(2, '0')).join('');
          const inner = new Error(`inner ${hexCommand}`);
          const error =
            kind === 'plain'
              ? Object.assign(new Error(`cannot send ${hexCommand}`, { cause: inner }), {
                  code: 'ECHO',
                  command: command.slice(),
                })
              : new TransportError('toy transport failed', { cause: Object.assign(inner, { code: 'ECHO' }) });
          throw error;
        }
        return vc.transmit(command);
      },
    };
  }

  for (const kind of ['plain', 'typed'] as const) {
    it(`${kind} error: no PIN in message, cause, JSON or inspect; the cause keeps name and code`, async () => {
      const vc = await VirtualMyNumberCard.create({ pins: LEAK_PINS });
      const card = await MyNumberCard.connect(echoing(vc, kind));
      let error: unknown;
      try {
        await card.jpki.sign('auth', DATA, { pin: LEAK_PINS.auth });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TransportError);
      const cause = (error as Error).cause;
      expect(cause).toBeInstanceOf(RedactedTransportCause);
      expect(cause).toMatchObject({ name: 'RedactedTransportCause', originalName: 'Error', code: 'ECHO' });
      expect((cause as Error).cause).toBeUndefined();
      const pin = [{ name: 'auth PIN', value: LEAK_PINS.auth }];
      expect(findLeaks(errorText(error), pin)).toEqual([]);
      expect(findLeaks(inspect(error, { depth: 10, showHidden: true }), pin)).toEqual([]);
      expect(findLeaks(JSON.stringify(error, Object.getOwnPropertyNames(error as object)), pin)).toEqual([]);
      expect(findLeaks(JSON.stringify(cause, ['name', 'originalName', 'message', 'code', 'command', 'cause']), pin)).toEqual([]);
    });
  }

  it('a typed transport error whose own message shows the command is replaced; one that does not is passed on', async () => {
    const vc = await VirtualMyNumberCard.create({ pins: LEAK_PINS });
    for (const spaced of [false, true]) {
      const leaky: Transport = {
        async transmit(command) {
          if (command[1] === 0x20 && command.length > 5) {
            const hex = Array.from(command, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(spaced ? ' ' : '');
            throw new TransportError(`link failed on ${hex}`, { code: 'toy-link' });
          }
          return vc.transmit(command);
        },
      };
      const card = await MyNumberCard.connect(leaky);
      const e = await card.jpki.sign('auth', DATA, { pin: LEAK_PINS.auth }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TransportError);
      expect((e as TransportError).code).toBe('transport-error');
      expect((e as Error).cause).toMatchObject({ name: 'RedactedTransportCause', originalName: 'TransportError', code: 'toy-link' });
      expect(findLeaks(errorText(e), [{ name: 'auth PIN', value: LEAK_PINS.auth }])).toEqual([]);
    }
    const removed: Transport = {
      async transmit(command) {
        if (command[1] === 0x20 && command.length > 5) throw new CardRemovedError();
        return vc.transmit(command);
      },
    };
    const card = await MyNumberCard.connect(removed);
    await expect(card.jpki.sign('auth', DATA, { pin: LEAK_PINS.auth })).rejects.toBeInstanceOf(CardRemovedError);
  });

  it('commands without a secret keep the raw cause', async () => {
    const failing: Transport = {
      transmit: () => Promise.reject(Object.assign(new Error('select failed'), { code: 'X' })),
    };
    const channel = new ApduChannel(failing);
    const e = await channel.transmit(new CommandApdu({ ins: 0xa4, p1: 0x04, p2: 0x0c, data: Uint8Array.of(1, 2, 3, 4, 5) })).catch((x: unknown) => x);
    expect(((e as Error).cause as Error).message).toBe('select failed');
  });
});

describe('PINs as bytes: accepted everywhere, wiped after use', () => {
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  const zero = (a: Uint8Array): boolean => a.every((b) => b === 0);

  it('JPKI sign, readCertificate and changePin', async () => {
    const vc = await VirtualMyNumberCard.create({ pins: LEAK_PINS });
    const card = await MyNumberCard.connect(vc);
    const pin = ascii(LEAK_PINS.auth);
    expect((await card.jpki.sign('auth', DATA, { pin })).length).toBe(256);
    expect(zero(pin)).toBe(true);
    const lower = ascii(LEAK_PINS.sign.toLowerCase()); // upper-cased like a string
    expect(await card.jpki.readCertificate('sign', { pin: lower })).toEqual(vc.certificates.sign);
    expect(zero(lower)).toBe(true);
    const current = ascii(LEAK_PINS.auth);
    const next = ascii('5823');
    await card.jpki.changePin('auth', { pin: current, newPin: next });
    expect(zero(current) && zero(next)).toBe(true);
    await expect(card.jpki.sign('auth', DATA, { pin: '5823' })).resolves.toHaveLength(256);
    // A malformed value is refused before the card, and wiped all the same.
    const bad = ascii('12a4');
    vc.clearLog();
    await expect(card.jpki.sign('auth', DATA, { pin: bad })).rejects.toBeInstanceOf(PinFormatError);
    expect(zero(bad)).toBe(true);
    expect(vc.log).toHaveLength(0);
    const nonAscii = Uint8Array.of(0x31, 0x32, 0x33, 0xb4);
    await expect(card.jpki.sign('auth', DATA, { pin: nonAscii })).rejects.toBeInstanceOf(PinFormatError);
    expect(zero(nonAscii)).toBe(true);
    await card.close();
  });

  it('text AP (PIN and 照合番号A) and card-AP secrets', async () => {
    const vc = await VirtualMyNumberCard.create({ pins: LEAK_PINS });
    const card = await MyNumberCard.connect(vc);
    const pin = ascii(LEAK_PINS.text);
    const attributes = await card.text.readAttributes({ pin });
    expect(attributes.name).toBe(vc.holder.name);
    expect(zero(pin)).toBe(true);
    const verificationA = ascii(vc.holder.myNumber);
    expect(await card.text.readMyNumber({ verificationA })).toBe(vc.holder.myNumber);
    expect(zero(verificationA)).toBe(true);

    const ap = defineCardAp({
      name: 'bytes',
      area: 'extension',
      aid: 'F0000000B1',
      secrets: { pin: { fid: 0x0011, maxTries: 3 } },
      files: { n: { fid: 0x0001, size: 4, read: { secret: 'pin' }, write: 'never', codec: digitsCodec(4) } },
    });
    vc.installCardAp(ap, { n: '0042' }, { secrets: { pin: '1357' } });
    const session = openCardAp(card, ap);
    const apPin = ascii('1357');
    expect(await session.read('n', { pin: apPin })).toBe('0042');
    expect(zero(apPin)).toBe(true);
    const byName = ascii('1357');
    await session.verify('pin', { pin: byName });
    expect(zero(byName)).toBe(true);
    await card.close();
  });
});
